// The deals board in a real browser: a deal created from a contact, its card
// dragged across the board (SortableJS) with the move saved through the API,
// Lost asking for a reason, the deal page's timeline, and the managers'
// funnel following. Debian's Chromium driven by playwright-core.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHOTS = path.join(ROOT, 'var/test/screenshots');
const missing = ['TS_BASE', 'TS_CLI', 'TS_CONF', 'TS_DB_SOCK'].filter((k) => !process.env[k]);
if (missing.length) {
    throw new Error(`set ${missing.join(', ')} (tests/run.sh does)`);
}
const BASE = process.env.TS_BASE.replace(/\/+$/, '');
const url = (p) => BASE + p;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function cli(...args) {
    return execFileSync(process.env.TS_CLI, ['-c', process.env.TS_CONF, ...args],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
}

function sql(query) {
    return execFileSync('mariadb', ['--no-defaults', `--socket=${process.env.TS_DB_SOCK}`, '-uroot', '-N', '-B',
        'tesoro', '-e', query], { encoding: 'utf8' }).trim();
}

const suffix = randomBytes(5).toString('hex');
const manager = { email: `deals-${suffix}@demo.localhost`, password: `Pw-${suffix}-board`, name: 'Board Manager' };
let token, tenantId, contactId, propertyId, context, profile, page;

async function api(method, p, json) {
    const res = await fetch(url(p), { method, headers: { authorization: `Bearer ${token}`,
        'content-type': 'application/json' }, body: json ? JSON.stringify(json) : undefined });
    return { status: res.status, json: await res.json().catch(() => null) };
}

const column = (stage) => page.locator(`.board-col[data-stage="${stage}"]`);
/** Drags a card onto a column with the mouse, the way a user does. */
async function drag(card, stage) {
    const from = await card.boundingBox();
    const to = await column(stage).locator('.cards').boundingBox();
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2 + 10, { steps: 5 });
    await page.mouse.move(to.x + to.width / 2, to.y + 20, { steps: 20 });
    await page.mouse.up();
}

const count = async (stage) => Number(await column(stage).locator('.col-count').textContent());

before(async () => {
    cli('user', 'create', '--tenant', 'demo', '--email', manager.email, '--role', 'manager',
        '--password', manager.password, '--name', manager.name);
    token = cli('token', 'create', '--tenant', 'demo', '--email', manager.email).trim().split('\n').pop();
    tenantId = Number(sql("SELECT id FROM tenants WHERE slug = 'demo'"));
    contactId = Number(sql(`INSERT INTO contacts (tenant_id, kind, first_name, last_name)
        VALUES (${tenantId}, 'contact', 'Inés', 'Board ${suffix}'); SELECT LAST_INSERT_ID();`));
    // a published property the deal will sell (as the properties API makes it)
    sql("INSERT IGNORE INTO property_portals (tenant_id, code, name, plugin) VALUES (0, 'e2eportal', 'E2E Portal', 'deals-e2e')");
    const prop = await api('POST', '/api/v1/properties', { type: 'villa', transaction: 'sale', price: 35000000 });
    assert.equal(prop.status, 201, JSON.stringify(prop.json));
    propertyId = prop.json.data.id;
    assert.equal((await api('PATCH', `/api/v1/properties/${propertyId}`, { status: 'active' })).status, 200);
    assert.ok([200, 201].includes((await api('PUT', `/api/v1/properties/${propertyId}/publications/e2eportal`)).status));
    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(path.join(tmpdir(), 'tesoro-deals-e2e-'));
    context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS, headless: true,
        viewport: { width: 1920, height: 1000 }, timeout: 60_000,
    });
    context.setDefaultTimeout(15_000);
    page = context.pages()[0] ?? await context.newPage();
    await page.goto(url('/login'));
    await page.getByLabel('Email').fill(manager.email);
    await page.getByLabel('Password').fill(manager.password);
    await Promise.all([page.waitForURL(url('/')), page.getByRole('button', { name: 'Log in' }).click()]);
});

after(async () => {
    await context?.close();
    if (profile) {
        rmSync(profile, { recursive: true, force: true });
    }
});

describe('the deals board', { timeout: 120_000 }, () => {
    let dealId;
    const errors = [];

    test('a deal created from a contact opens its page with the first stage in the timeline', async () => {
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        await page.goto(url(`/deals/new?contact=${contactId}&type=buy`));
        assert.match(await page.locator('#contact-hint').textContent(), /Inés Board/);
        await page.getByLabel('Name').fill(`Board deal ${suffix}`);
        await page.getByLabel('Value').fill('350000');
        await page.getByLabel('Primary property (id)').fill(String(propertyId));
        await Promise.all([page.waitForURL(/\/deals\/\d+$/), page.getByRole('button', { name: 'Create deal' }).click()]);
        dealId = Number(/\/deals\/(\d+)$/.exec(page.url())[1]);
        await page.getByRole('heading', { level: 1, name: `Board deal ${suffix}` }).waitFor();
        assert.equal((await page.locator('#deal-value').textContent()).trim(), '€350,000');
        assert.equal(await page.locator('#stage-history li').count(), 1);
        assert.equal(await page.locator('#stage-history li').first().getAttribute('data-stage'), 'knowing_property');
    });

    test('dragging the card to another stage saves the move and updates both columns', async () => {
        await page.goto(url('/deals?pipeline=buyer'));
        const card = page.locator(`.deal-card[data-id="${dealId}"]`);
        assert.equal(await card.locator('xpath=ancestor::section').getAttribute('data-stage'), 'knowing_property');
        const before = { kp: await count('knowing_property'), fv: await count('first_visit') };
        await drag(card, 'first_visit');
        await page.waitForFunction((id) => document.querySelector(`.deal-card[data-id="${id}"]`)
            ?.getAttribute('data-stage') === 'first_visit', dealId);
        assert.equal(await count('knowing_property'), before.kp - 1);
        assert.equal(await count('first_visit'), before.fv + 1);
        const d = await api('GET', `/api/v1/deals/${dealId}`);
        assert.equal(d.json.data.stage, 'first_visit');
        assert.equal(d.json.data.probability, 20);
        await page.screenshot({ path: path.join(SHOTS, 'deals-board.png'), fullPage: true });
    });

    test('dropping on Lost asks for a reason; cancelling puts the card back', async () => {
        const card = page.locator(`.deal-card[data-id="${dealId}"]`);
        await drag(card, 'lost');
        const dialog = page.getByRole('dialog', { name: 'Why was this deal lost?' });
        await dialog.waitFor();
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await page.waitForFunction((id) => document.querySelector(`.deal-card[data-id="${id}"]`)
            ?.closest('section').getAttribute('data-stage') === 'first_visit', dealId);
        assert.equal((await api('GET', `/api/v1/deals/${dealId}`)).json.data.stage, 'first_visit');

        await drag(card, 'lost');
        await dialog.waitFor();
        await dialog.getByLabel('Lost reason').fill('Chose a flat in Dénia');
        await dialog.getByRole('button', { name: 'Mark as lost' }).click();
        await page.waitForFunction((id) => document.querySelector(`.deal-card[data-id="${id}"]`)
            ?.getAttribute('data-stage') === 'lost', dealId);
        const d = await api('GET', `/api/v1/deals/${dealId}`);
        assert.equal(d.json.data.stage, 'lost');
        assert.equal(d.json.data.lost_reason, 'Chose a flat in Dénia');
        assert.equal(d.json.data.closed, true);
    });

    test('out of Lost needs a reopen, then the card goes to Won and the timeline shows every move', async () => {
        page.once('dialog', (dlg) => dlg.accept());
        const card = page.locator(`.deal-card[data-id="${dealId}"]`);
        await drag(card, 'won');
        await page.waitForFunction((id) => document.querySelector(`.deal-card[data-id="${id}"]`)
            ?.getAttribute('data-stage') === 'won' || !document.getElementById('board-error').hidden, dealId);
        assert.equal(await page.locator('#board-error').isVisible(), false, await page.locator('#board-error').textContent());
        await page.waitForFunction((id) => document.querySelector(`.deal-card[data-id="${id}"]`)
            ?.getAttribute('data-stage') === 'won', dealId);
        await page.goto(url(`/deals/${dealId}`));
        const stages = await page.locator('#stage-history li').evaluateAll((lis) => lis.map((l) => l.dataset.stage));
        assert.deepEqual(stages, ['won', 'lost', 'first_visit', 'knowing_property']);
        assert.match(await page.locator('#stage-history').textContent(), /Chose a flat in Dénia/);
    });

    test('the won sale\'s property is sold and no longer published', async () => {
        const badge = page.locator('section[aria-labelledby="properties-title"] .badge[data-status]');
        assert.equal(await badge.getAttribute('data-status'), 'sold');
        const p = await api('GET', `/api/v1/properties/${propertyId}`);
        assert.equal(p.json.data.status, 'sold');
        const pubs = await api('GET', `/api/v1/properties/${propertyId}/publications`);
        assert.deepEqual(pubs.json.data.filter((b) => b.current), []);
    });

    test('the funnel on the managers\' dashboard counts the won deal, with charts drawn', async () => {
        await page.goto(url('/deals/dashboard'));
        const won = page.locator('table.funnel-table[data-pipeline="buyer"] tr[data-stage="won"] .f-deals');
        const n = Number(await won.textContent());
        assert.ok(n >= 1, `won deals in the funnel: ${n}`);
        const fromApi = await api('GET', '/api/v1/deals/funnel?pipeline=buyer');
        assert.equal(fromApi.json.data.stages.find((s) => s.stage === 'won').deals, n);
        await page.waitForFunction(() => [...document.querySelectorAll('canvas[data-chart]')].every((c) => c.chart));
        await page.screenshot({ path: path.join(SHOTS, 'deals-dashboard.png'), fullPage: true });
        assert.deepEqual(errors, [], 'no console errors');
    });

    test('the list\'s batch bar moves, assigns and tags the ticked deals in one go', async () => {
        const ids = [];
        const managerId = Number(sql(`SELECT id FROM users WHERE tenant_id = ${tenantId} AND email = '${manager.email}'`));
        for (const n of [1, 2, 3]) {
            const r = await api('POST', '/api/v1/deals', { name: `Batch ${suffix} ${n}`, type: 'buy', value: 1000000 * n,
                contacts: [{ id: contactId, kind: 'main' }] });
            assert.equal(r.status, 201, JSON.stringify(r.json));
            ids.push(r.json.data.id);
        }
        await page.goto(url(`/deals/list?q=${encodeURIComponent(`Batch ${suffix}`)}`));
        await page.getByLabel(`Select Batch ${suffix} 1`).check();
        await page.getByLabel(`Select Batch ${suffix} 3`).check();
        await page.locator('#batch-stage').selectOption('offer');
        await page.locator('#batch-agent').selectOption({ label: manager.name });
        await page.getByLabel('Add tags').fill('batch-e2e, spring');
        await Promise.all([page.waitForURL(url('/deals/list/batch')),
            page.getByRole('button', { name: 'Apply to ticked deals' }).click()]);
        assert.equal((await page.locator('.flash[role="status"]').textContent()).trim(), '2 deals updated');
        for (const [i, moved] of [[0, true], [1, false], [2, true]]) {
            const d = (await api('GET', `/api/v1/deals/${ids[i]}`)).json.data;
            assert.equal(d.stage, moved ? 'offer' : 'knowing_property', `deal ${i + 1}`);
            assert.deepEqual(d.tags, moved ? ['batch-e2e', 'spring'] : [], `deal ${i + 1}`);
            if (moved) {
                assert.equal(d.agent_id, managerId, `deal ${i + 1}`);
            }
        }

        assert.deepEqual(errors, [], 'no console errors');

        // Lost without a reason refuses the whole batch, naming the row; nothing changes
        // (the browser logs the 422 answer of the page itself).
        await page.goto(url(`/deals/list?q=${encodeURIComponent(`Batch ${suffix}`)}`));
        await page.getByLabel(`Select Batch ${suffix} 2`).check();
        await page.getByLabel(`Select Batch ${suffix} 3`).check();
        await page.locator('#batch-stage').selectOption('lost');
        await page.getByRole('button', { name: 'Apply to ticked deals' }).click();
        await page.locator('.flash.error').first().waitFor();
        assert.match(await page.locator('.flash.error').allTextContents().then((t) => t.join('\n')), /lost_reason/);
        assert.equal((await api('GET', `/api/v1/deals/${ids[1]}`)).json.data.stage, 'knowing_property');
        assert.equal((await api('GET', `/api/v1/deals/${ids[2]}`)).json.data.stage, 'offer');
    });

    test('the list\'s column chooser hides and orders columns, remembered after a reload', async () => {
        const heads = async () => (await page.locator('table.list thead th[data-col]:visible').allTextContents())
            .map((s) => s.trim());
        await page.goto(url(`/deals/list?q=${encodeURIComponent(`Batch ${suffix}`)}`));
        assert.deepEqual(await heads(), ['Ref', 'Name', 'Type', 'Stage', 'Value', 'Main contact', 'Agent', 'Expected close']);
        const chooser = page.locator('details.column-chooser');
        await chooser.locator('summary').click();
        await chooser.getByRole('checkbox', { name: 'Type', exact: true }).uncheck();
        await chooser.getByRole('button', { name: 'Move Value up' }).click();
        const want = ['Ref', 'Name', 'Value', 'Stage', 'Main contact', 'Agent', 'Expected close'];
        assert.deepEqual(await heads(), want);
        const cells = page.locator('table.list tbody tr').first().locator('td:visible');
        assert.match(await cells.nth(3).textContent(), /\d/, 'the Value cell moved with its header');
        await page.reload();
        assert.deepEqual(await heads(), want, 'remembered after a reload');
        await page.evaluate(() => window.localStorage.clear());
    });
});
