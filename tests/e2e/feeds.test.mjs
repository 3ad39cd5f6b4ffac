// The feed manager page in a real browser: a manager adds a feed through the form, syncs it
// now, and reads the failed run's error on the page (the URL is a refused private address).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE = (process.env.TS_BASE ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const url = (p) => BASE + p;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let context, profile;
const user = { email: `e2e-feeds-${randomBytes(5).toString('hex')}@demo.localhost`,
    password: `Pw-${randomBytes(8).toString('hex')}` };

before(async () => {
    execFileSync(process.env.TS_CLI, ['-c', process.env.TS_CONF, 'user', 'create', '--tenant', 'demo',
        '--email', user.email, '--role', 'manager', '--password', user.password, '--name', 'Feed Manager'],
    { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    profile = mkdtempSync(path.join(tmpdir(), 'tesoro-e2e-feeds-'));
    context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS, headless: true,
        viewport: { width: 1280, height: 800 }, timeout: 60_000,
    });
    context.setDefaultTimeout(15_000);
});

after(async () => {
    await context?.close();
    if (profile) {
        rmSync(profile, { recursive: true, force: true });
    }
});

test('add a feed, sync it now, see its failed run and the reason', { timeout: 90_000 }, async () => {
    const page = context.pages()[0] ?? await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url('/login?next=%2Ffeeds'));
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await Promise.all([page.waitForURL(url('/feeds')), page.getByRole('button', { name: 'Log in' }).click()]);
    await page.getByRole('heading', { level: 1, name: 'Feeds & portals' }).waitFor();
    const name = `Partner ${randomBytes(3).toString('hex')}`;
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Feed URL (http or https)').fill('http://10.255.255.1/feed.xml');
    await page.getByLabel('Sync', { exact: true }).selectOption('manual');
    await Promise.all([page.waitForURL(url('/feeds')), page.getByRole('button', { name: 'Add feed' }).click()]);
    const row = page.getByRole('row').filter({ hasText: name });
    await row.waitFor();
    assert.match(await row.textContent(), /never/);
    await Promise.all([page.waitForURL(url('/feeds')), row.getByRole('button', { name: 'Sync now' }).click()]);
    // The job runner takes the sync; the page shows the run once it is logged.
    let text = '';
    for (let i = 0; i < 60 && !/failed/.test(text); i++) {
        await page.waitForTimeout(500);
        await page.reload();
        text = await page.getByRole('row').filter({ hasText: name }).textContent();
    }
    assert.match(text, /failed/);
    assert.match(text, /refused to connect to 10\.255\.255\.1/);
    await page.getByRole('link', { name }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    assert.match(await page.locator('main').textContent(), /refused to connect/);
    assert.deepEqual(errors, []);
});

test('an admin connects Kyero on the page and reads the new feed address once', { timeout: 60_000 }, async () => {
    const admin = { email: `e2e-portal-${randomBytes(5).toString('hex')}@demo.localhost`,
        password: `Pw-${randomBytes(8).toString('hex')}` };
    execFileSync(process.env.TS_CLI, ['-c', process.env.TS_CONF, 'user', 'create', '--tenant', 'demo',
        '--email', admin.email, '--role', 'admin', '--password', admin.password], { stdio: 'ignore', timeout: 30_000 });
    const page = await context.newPage();
    await page.context().clearCookies();
    await page.goto(url('/login?next=%2Ffeeds'));
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await Promise.all([page.waitForURL(url('/feeds')), page.getByRole('button', { name: 'Log in' }).click()]);
    await page.getByRole('heading', { level: 2, name: 'Portals' }).waitFor();
    await page.getByRole('button', { name: 'Connect Kyero (XML)' }).click();
    const feedUrl = (await page.locator('[data-feed-url]').textContent()).trim();
    assert.match(feedUrl, /\/feeds\/demo\/kyero\/[0-9a-f]{64}\.xml$/);
    const res = await fetch(url(new URL(feedUrl).pathname));
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<feed_version>3<\/feed_version>/);
    await page.close();
});
