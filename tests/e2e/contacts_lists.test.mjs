// The contacts list pages in a real browser: the column chooser (hide and
// order columns, remembered, saved with a view) and a batch action on every
// record matching the filter, with its confirmation.
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
    const user = { email: `e2e-cl-${tag}@demo.localhost`, password: `Pw-${randomBytes(8).toString('hex')}`, name: 'Contacts Agent' };
    execFileSync(process.env.TS_CLI, ['-c', process.env.TS_CONF, 'user', 'create', '--tenant', 'demo',
        '--email', user.email, '--role', 'agent', '--password', user.password, '--name', user.name],
    { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    return user;
}

let context, profile, page;
const errors = [];
before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(path.join(tmpdir(), 'tesoro-e2e-lists-'));
    context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS, headless: true,
        viewport: { width: 1280, height: 900 }, timeout: 60_000,
    });
    context.setDefaultTimeout(15_000);
    page = context.pages()[0] ?? await context.newPage();
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
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

const heads = async () => (await page.locator('table.list thead th[data-col]:visible').allTextContents()).map((s) => s.trim());

describe('list columns and batch on a filter', { timeout: 120_000 }, () => {
    before(async () => {
        for (const first of ['Ada', 'Bea', 'Cris']) {
            await page.goto(url('/leads/new'));
            await page.getByLabel('First name').fill(first);
            await page.getByLabel('Last name').fill(`Cols ${tag}`);
            await page.getByLabel('Status').selectOption('prospect');
            await page.getByLabel('Tags (comma-separated)').fill(`c-${tag}`);
            await Promise.all([page.waitForURL(/\/leads\/\d+$/), page.getByRole('button', { name: 'Save' }).click()]);
        }
    });

    test('the column chooser hides and orders columns, remembers them and saves them with a view', async () => {
        await page.goto(url(`/leads?tag=c-${tag}`));
        assert.deepEqual(await heads(), ['Name', 'Status', 'Stage', 'Source', 'Email or phone', 'Tags', 'Created']);
        const chooser = page.locator('details.column-chooser');
        await chooser.locator('summary').click();
        await chooser.getByRole('checkbox', { name: 'Tags', exact: true }).uncheck();
        await chooser.getByRole('button', { name: 'Move Created up' }).click();
        await chooser.getByRole('button', { name: 'Move Created up' }).click();
        // The first move passes the hidden Tags column, the second passes Email or phone.
        const want = ['Name', 'Status', 'Stage', 'Source', 'Created', 'Email or phone'];
        assert.deepEqual(await heads(), want);
        const first = page.locator('table.list tbody tr').first().locator('td:visible');
        assert.equal(await first.count(), want.length + 1, 'the cells follow their headers');
        assert.match(await first.nth(5).textContent(), /^\d{4}-\d{2}-\d{2}$/, 'the Created cell moved with its header');
        await page.reload();
        assert.deepEqual(await heads(), want, 'remembered after a reload');
        await page.getByLabel('Save as view').fill(`Cols ${tag}`);
        await Promise.all([page.waitForURL(/view=\d+/), page.getByRole('button', { name: 'Save view' }).click()]);
        // Forget the remembered choice: the view alone brings the columns back.
        await page.evaluate(() => window.localStorage.clear());
        await page.goto(url('/leads'));
        assert.deepEqual(await heads(), ['Name', 'Status', 'Stage', 'Source', 'Email or phone', 'Tags', 'Created']);
        await page.getByRole('navigation', { name: 'Saved views' }).getByRole('link', { name: `Cols ${tag}` }).click();
        await page.waitForURL(/view=\d+/);
        assert.deepEqual(await heads(), want, 'the saved view keeps its columns');
        await page.screenshot({ path: path.join(SHOTS, 'leads-columns.png'), fullPage: true });
    });

    test('batch on the whole filter: the count is shown, asked first, applied to every match', async () => {
        await page.goto(url(`/leads?tag=c-${tag}`));
        assert.equal(await page.locator('table.list tbody tr').count(), 3);
        await page.locator('table.list tbody input[name="id"]').first().check();
        const all = page.getByLabel(/Apply to all 3 matching the filter/);
        await all.check();
        await page.locator('#batch-status').selectOption('qualified');
        let asked = '';
        page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
        await page.getByRole('button', { name: 'Set status' }).click();
        assert.match(asked, /all 3 leads matching the filter/);
        await page.goto(url(`/leads?tag=c-${tag}&status=qualified`));
        assert.equal(await page.locator('table.list tbody tr').count(), 0, 'dismissed: nothing changed');
        await page.goto(url(`/leads?tag=c-${tag}`));
        await page.locator('table.list tbody input[name="id"]').first().check();
        await page.getByLabel(/Apply to all 3 matching the filter/).check();
        await page.locator('#batch-status').selectOption('qualified');
        page.once('dialog', (d) => d.accept());
        await Promise.all([page.waitForURL(/\/leads\?tag=/), page.getByRole('button', { name: 'Set status' }).click()]);
        await page.goto(url(`/leads?tag=c-${tag}&status=qualified`));
        assert.equal(await page.locator('table.list tbody tr').count(), 3, 'all three, not only the ticked one');
        assert.deepEqual(errors, []);
    });

    test('the list links to the CSV import wizard', async () => {
        await page.goto(url('/relations'));
        await Promise.all([page.waitForURL(/\/imports\/new\?kind=relations/), page.getByRole('link', { name: 'Import CSV' }).click()]);
    });
});
