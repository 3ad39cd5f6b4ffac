// The contacts pages in a real browser: create a lead through the form (an
// error shown beside its field first), convert it, log a call, filter the
// list, save the filters as a view and use a batch action.
// Same environment as login.test.mjs (TS_BASE, TS_CLI, TS_CONF, CHROMIUM).
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
const missing = ['TS_BASE', 'TS_CLI', 'TS_CONF'].filter((k) => !process.env[k]);
if (missing.length) {
    throw new Error(`set ${missing.join(', ')} (see the top of login.test.mjs)`);
}
const BASE = process.env.TS_BASE.replace(/\/+$/, '');
const url = (p) => BASE + p;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const tag = randomBytes(4).toString('hex');

function createUser() {
    const user = { email: `e2e-c-${tag}@demo.localhost`, password: `Pw-${randomBytes(8).toString('hex')}`, name: 'Contacts Agent' };
    execFileSync(process.env.TS_CLI, ['-c', process.env.TS_CONF, 'user', 'create', '--tenant', 'demo',
        '--email', user.email, '--role', 'agent', '--password', user.password, '--name', user.name],
    { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    return user;
}

let context, profile, page;
const errors = [];
before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(path.join(tmpdir(), 'tesoro-e2e-contacts-'));
    context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS, headless: true,
        viewport: { width: 1280, height: 900 }, timeout: 60_000,
    });
    context.setDefaultTimeout(15_000);
    page = context.pages()[0] ?? await context.newPage();
    // The 422 of the invalid form and the 404 of the converted lead are expected.
    page.on('console', (m) => m.type() === 'error'
        && !/the server responded with a status of (422|404)/.test(m.text()) && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    const user = createUser();
    await page.goto(url('/login'));
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await Promise.all([page.waitForURL(url('/')), page.getByRole('button', { name: 'Log in' }).click()]);
});

after(async () => {
    await context?.close();
    if (profile) {
        rmSync(profile, { recursive: true, force: true });
    }
});

describe('leads and contacts in the browser', { timeout: 120_000 }, () => {
    let leadUrl;

    test('create a lead: an invalid email is shown beside the field, nothing typed is lost', async () => {
        await page.goto(url('/leads'));
        await page.getByRole('link', { name: 'New lead' }).click();
        await page.getByLabel('First name').fill('Lucía');
        await page.getByLabel('Last name').fill(`Browser ${tag}`);
        await page.getByLabel('Email').fill('not-an-email');
        await page.getByLabel('Status').selectOption('qualified');
        await page.getByLabel('Stage').selectOption('hot');
        await page.getByLabel('Source').selectOption('portal');
        await page.getByLabel('Tags (comma-separated)').fill(`e2e-${tag}, sea view`);
        await page.getByRole('button', { name: 'Save' }).click();
        const err = page.locator('#f-email-error');
        await err.waitFor();
        assert.match(await err.textContent(), /valid email/);
        assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
        assert.equal(await page.getByLabel('First name').inputValue(), 'Lucía', 'the typed values stay');
        await page.getByLabel('Email').fill(`lucia-${tag}@example.com`);
        await Promise.all([page.waitForURL(/\/leads\/\d+$/), page.getByRole('button', { name: 'Save' }).click()]);
        leadUrl = page.url();
        await page.getByRole('heading', { level: 1, name: new RegExp(`Lucía Browser ${tag}`) }).waitFor();
        assert.match(await page.locator('dl.props').textContent(), /Portal/);
    });

    test('log a call from the record page: it shows on the timeline', async () => {
        await page.goto(leadUrl);
        await page.getByLabel('Call summary').fill('Asked about villas in Jávea');
        await Promise.all([page.waitForURL(leadUrl), page.getByRole('button', { name: 'Log call' }).click()]);
        const first = page.locator('ol.timeline li').first();
        assert.match(await first.textContent(), /Call[\s\S]*Asked about villas in Jávea/);
        await page.screenshot({ path: path.join(SHOTS, 'lead-record.png'), fullPage: true });
    });

    test('convert the lead: same id, a contact now, the call still on its timeline', async () => {
        await page.goto(leadUrl);
        const id = leadUrl.split('/').pop();
        await page.getByLabel('Role').selectOption('buyer');
        await Promise.all([page.waitForURL(url(`/contacts/${id}`)),
            page.getByRole('button', { name: 'Convert to contact' }).click()]);
        const tl = await page.locator('ol.timeline').textContent();
        assert.match(tl, /Asked about villas in Jávea/);
        assert.match(tl, /Converted from lead to contact/);
        assert.match(await page.locator('dl.props').textContent(), /buyer/);
        const back = await page.goto(leadUrl);
        assert.equal(back.status(), 404, 'it is no longer a lead');
    });

    test('filter the list, save the view, and find it again as a tab', async () => {
        for (const [first, stage] of [['Hot', 'hot'], ['Cold', 'cold']]) {
            await page.goto(url('/leads/new'));
            await page.getByLabel('First name').fill(first);
            await page.getByLabel('Last name').fill(`Filter ${tag}`);
            await page.getByLabel('Stage').selectOption(stage);
            await page.getByLabel('Tags (comma-separated)').fill(`f-${tag}`);
            await Promise.all([page.waitForURL(/\/leads\/\d+$/), page.getByRole('button', { name: 'Save' }).click()]);
        }
        await page.goto(url('/leads'));
        await page.getByLabel('Tag', { exact: true }).fill(`f-${tag}`);
        await page.locator('#f-stage').selectOption('hot');
        await page.getByRole('button', { name: 'Filter' }).click();
        await page.waitForURL(/stage=hot/);
        await page.locator('table.list tbody tr').first().waitFor();
        const rows = page.locator('table.list tbody tr');
        // htmx swaps the results in after the URL changes: wait for the new rows.
        for (let i = 0; i < 50 && (await rows.count()) !== 1; i++) {
            await page.waitForTimeout(100);
        }
        assert.equal(await rows.count(), 1);
        assert.match(await rows.first().textContent(), /Hot Filter/);
        await page.getByLabel('Save as view').fill(`Hot ${tag}`);
        await Promise.all([page.waitForURL(/view=\d+/), page.getByRole('button', { name: 'Save view' }).click()]);
        const tab = page.getByRole('navigation', { name: 'Saved views' }).getByRole('link', { name: `Hot ${tag}` });
        assert.equal(await tab.getAttribute('aria-current'), 'page');
        assert.equal(await page.locator('table.list tbody tr').count(), 1);
        await page.goto(url('/leads'));
        await page.getByRole('navigation', { name: 'Saved views' }).getByRole('link', { name: `Hot ${tag}` }).click();
        await page.waitForURL(/view=\d+/);
        assert.match(await page.locator('table.list tbody').textContent(), /Hot Filter/);
        assert.doesNotMatch(await page.locator('table.list tbody').textContent(), /Cold Filter/);
    });

    test('batch: tick rows and add a tag to them', async () => {
        await page.goto(url(`/leads?tag=f-${tag}`));
        const boxes = page.locator('table.list tbody input[type="checkbox"][name="id"]');
        assert.equal(await boxes.count(), 2);
        await page.locator('input[data-select-all]').check();
        assert.equal(await page.locator('output[data-selected-count]').first().textContent(), '2');
        await page.locator('#batch-tag').fill(`done-${tag}`);
        await Promise.all([page.waitForURL(/\/leads\?tag=/), page.getByRole('button', { name: 'Add tag' }).click()]);
        await page.goto(url(`/leads?tag=done-${tag}`));
        assert.equal(await page.locator('table.list tbody tr').count(), 2);
        await page.screenshot({ path: path.join(SHOTS, 'leads-list.png'), fullPage: true });
        assert.deepEqual(errors, []);
    });
});
