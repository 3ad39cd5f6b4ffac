// The CSV import wizard in a real browser: upload, map the columns, preview
// with the invalid rows listed, import with the progress bar, then the report.
// Environment as tests/e2e/login.test.mjs (TS_BASE, TS_CLI, TS_CONF, CHROMIUM). The
// custom column's name carries the run's tag: the mapping saved here fits only this run's files.
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
    throw new Error(`set ${missing.join(', ')} (see the top of ${path.basename(import.meta.url)})`);
}
const BASE = process.env.TS_BASE.replace(/\/+$/, '');
const url = (p) => BASE + p;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const tag = randomBytes(4).toString('hex');
const user = {
    email: `e2e-import-${tag}@demo.localhost`,
    password: `Pw-${randomBytes(8).toString('hex')}`,
};
const CSV = [
    `First name;Last name;E-mail;Phone;lead.source;property_details.price_min;Colour ${tag}`,
    `Ana;García;ana.${tag}@example.com;+34 6${String(parseInt(tag, 16)).slice(-8)};Portals;250.000;blue`,
    `Luis;Pérez;luis.${tag}@example.com;;referral;;green`,
    `Bad;Row;not-an-email;;;;red`,
].join('\r\n') + '\r\n';

let profile;
let context;
let page;
const errors = [];

before(async () => {
    execFileSync(process.env.TS_CLI, ['-c', process.env.TS_CONF, 'user', 'create', '--tenant', 'demo',
        '--email', user.email, '--role', 'agent', '--password', user.password, '--name', 'Import Agent'],
    { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(path.join(tmpdir(), 'tesoro-e2e-import-'));
    context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        args: ARGS, headless: true, viewport: { width: 1280, height: 900 }, timeout: 60_000,
        acceptDownloads: true,
    });
    context.setDefaultTimeout(15_000);
    page = context.pages()[0] ?? await context.newPage();
    page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
});

after(async () => {
    await context?.close();
    if (profile) {
        rmSync(profile, { recursive: true, force: true });
    }
});

describe('CSV import wizard', { timeout: 120_000 }, () => {
    test('log in and open the upload page', async () => {
        await page.goto(url('/login?next=%2Fimports%2Fnew'));
        await page.getByLabel('Email').fill(user.email);
        await page.getByLabel('Password').fill(user.password);
        await Promise.all([
            page.waitForURL(url('/imports/new')),
            page.getByRole('button', { name: 'Log in' }).click(),
        ]);
        assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Import a CSV file');
    });

    test('upload: the columns are detected and mapped', async () => {
        await page.getByLabel('What the file holds').selectOption('leads');
        await page.getByLabel('CSV file').setInputFiles({ name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
        await Promise.all([
            page.waitForURL(/\/imports\/\d+$/),
            page.getByRole('button', { name: 'Upload' }).click(),
        ]);
        assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Map the columns');
        assert.match(await page.locator('.page-head .muted').textContent(), /delimiter ;/);
        assert.equal(await page.getByLabel('Field for E-mail').inputValue(), 'email');
        assert.equal(await page.getByLabel('Field for property_details.price_min').inputValue(), 'preferences.budget_min');
        assert.equal(await page.getByLabel(`Field for Colour ${tag}`).inputValue(), '', 'unknown columns start unmapped');
        await page.getByLabel(`Field for Colour ${tag}`).selectOption(`custom.colour_${tag}`);
        await page.screenshot({ path: path.join(SHOTS, 'import-map.png'), fullPage: true });
    });

    test('preview: counts and the invalid row with its line and column', async () => {
        await page.getByLabel('Save this mapping as').fill(`Wizard ${tag}`);
        await page.getByRole('button', { name: 'Preview' }).click();
        await page.getByRole('heading', { name: 'Preview', level: 1 }).waitFor();
        const tiles = await page.locator('.tile').allTextContents();
        assert.deepEqual(tiles.map((s) => s.replace(/\s+/g, ' ').trim()),
            ['3 Rows', '2 Valid', '1 Invalid', '0 Duplicates']);
        const row = page.locator('table.list tbody tr').first();
        assert.deepEqual((await row.locator('td').allTextContents()).slice(0, 3), ['3', '4', 'E-mail']);
        assert.match(await row.locator('td').nth(3).textContent(), /not a valid email/);
    });

    test('import: the progress page ends in the report', async () => {
        await page.getByRole('button', { name: 'Start import' }).click();
        await page.getByRole('heading', { name: 'Import report', level: 1 }).waitFor({ timeout: 30_000 });
        const tiles = (await page.locator('.tile').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
        assert.deepEqual(tiles, ['2 Created', '0 Updated', '0 Skipped (duplicates)', '1 Invalid rows']);
        assert.equal(await page.locator('progress').getAttribute('value'), '100');
        await page.screenshot({ path: path.join(SHOTS, 'import-report.png'), fullPage: true });
        const [download] = await Promise.all([
            page.waitForEvent('download'),
            page.getByRole('link', { name: 'Download the report (CSV)' }).click(),
        ]);
        const file = await download.path();
        const text = (await import('node:fs')).readFileSync(file, 'utf8');
        assert.match(text, /"3","4","invalid","","E-mail","E-mail: 'not-an-email' is not a valid email address"/);
    });

    test('the saved mapping maps the next file with the same columns', async () => {
        await page.goto(url('/imports/new'));
        await page.getByLabel('CSV file').setInputFiles({ name: 'again.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
        await Promise.all([
            page.waitForURL(/\/imports\/\d+$/),
            page.getByRole('button', { name: 'Upload' }).click(),
        ]);
        assert.equal(await page.getByLabel(`Field for Colour ${tag}`).inputValue(), `custom.colour_${tag}`);
        assert.deepEqual(errors, [], 'no console errors');
    });
});
