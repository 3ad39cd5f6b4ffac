// The web UI in a real browser: log in, the dashboard, the phone menu, log out,
// a wrong password, the redirect to /login. Debian's Chromium driven by
// playwright-core (never a downloaded browser).
//
// Environment (set by tests/run.sh; for the dev stack see docs/ui.md):
//   TS_BASE   the instance, e.g. http://127.0.0.1:8090 (a host of the demo tenant)
//   TS_CLI    the built `tesoro` CLI        TS_CONF   its configuration
//   CHROMIUM  the browser (default /usr/bin/chromium)
// Screenshots go to var/test/screenshots/ (dashboard, desktop and phone).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
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
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };
const NAV = ['Dashboard', 'Leads', 'Contacts', 'Relations', 'Properties', 'Deals', 'Tasks',
    'Feeds & portals'];

function randomPassword(n = 16) {
    const abc = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
    let s = '';
    for (let i = 0; i < n; i++) {
        s += abc[randomInt(abc.length)];
    }
    return s;
}

/** An agent of the demo tenant made for this run, so no known password is needed. */
function createUser() {
    const user = {
        email: `e2e-${randomBytes(6).toString('hex')}@demo.localhost`,
        password: randomPassword(16),
        name: 'E2E Agent',
    };
    execFileSync(process.env.TS_CLI, ['-c', process.env.TS_CONF, 'user', 'create',
        '--tenant', 'demo', '--email', user.email, '--role', 'agent',
        '--password', user.password, '--name', user.name],
    { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    return user;
}

/** Console errors and uncaught exceptions of a page, collected as they come. */
function watch(page) {
    const errors = [];
    page.on('console', (m) => {
        if (m.type() === 'error') {
            errors.push(`console: ${m.text()} (${m.location().url || 'page'})`);
        }
    });
    page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
    return errors;
}

async function login(page, user) {
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await Promise.all([
        page.waitForURL(url('/'), { waitUntil: 'load' }),
        page.getByRole('button', { name: 'Log in' }).click(),
    ]);
}

let user;
let profile;
let context;     // the persistent context (desktop) on a fresh --user-data-dir
let browser;

before(async () => {
    user = createUser();
    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(path.join(tmpdir(), 'tesoro-e2e-'));
    context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        args: ARGS,
        headless: true,
        viewport: DESKTOP,
        timeout: 60_000,
    });
    context.setDefaultTimeout(15_000);
    browser = context.browser();
});

after(async () => {
    await context?.close();
    if (profile) {
        rmSync(profile, { recursive: true, force: true });
    }
});

describe('log in, dashboard, menu, log out', { timeout: 120_000 }, () => {
    let page;
    let errors;

    before(async () => {
        page = context.pages()[0] ?? await context.newPage();
        errors = watch(page);
    });

    test('visiting / while logged out redirects to /login?next=%2F', async () => {
        const res = await page.goto(url('/'));
        assert.equal(page.url(), url('/login?next=%2F'));
        assert.equal(res.status(), 200);
        assert.equal(await page.locator('input[name="next"]').inputValue(), '/');
        await page.getByRole('heading', { name: 'Log in' }).waitFor();
    });

    test('logging in through the form opens the dashboard with the name and the nav', async () => {
        await login(page, user);
        assert.equal(page.url(), url('/'));
        assert.match(await page.title(), /^Dashboard · /);
        await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
        const who = page.locator('header .who .user');
        assert.equal((await who.textContent()).trim(), user.name);
        assert.equal(await who.getAttribute('data-role'), 'agent');
        assert.match(await page.locator('main').textContent(), new RegExp(`Welcome, ${user.name}\\.`));

        const nav = page.getByRole('navigation', { name: 'Main' });
        assert.ok(await nav.isVisible(), 'the navigation shows on a desktop screen');
        for (const name of NAV) {
            assert.ok(await nav.getByRole('link', { name, exact: true }).isVisible(), `nav link ${name}`);
        }
        assert.equal(await nav.getByRole('link', { name: 'Settings' }).count(), 0,
            'an agent sees no Settings');
        assert.equal(await nav.getByRole('link', { name: 'Dashboard' }).getAttribute('aria-current'),
            'page');
        assert.equal(await page.getByRole('button', { name: 'Menu' }).isVisible(), false,
            'no Menu button on a desktop screen');
        assert.match(await page.locator('#user-count').textContent(), /^\d+$/);
    });

    test('the page has no console errors, htmx loaded and sends the CSRF header', async () => {
        assert.equal(await page.evaluate(() => typeof window.htmx), 'object');
        assert.match(await page.evaluate(() => window.htmx.version), /^2\./);
        assert.ok(await page.evaluate(() => [...document.styleSheets].some((s) =>
            s.href?.endsWith('/static/tesoro.css') && s.cssRules.length > 50)), 'tesoro.css loaded');

        // tesoro.js adds X-CSRF-Token to htmx's non-GET requests: catch one.
        const token = await page.locator('meta[name="csrf-token"]').getAttribute('content');
        assert.match(token, /^[0-9a-f]{64}$/);
        let sent = null;
        await page.route('**/e2e-csrf-probe', async (route) => {
            sent = route.request().headers();
            await route.fulfill({ status: 204, body: '' });
        });
        await page.evaluate(() => window.htmx.ajax('POST', '/e2e-csrf-probe',
            { target: '#main', swap: 'none' }));
        await page.unroute('**/e2e-csrf-probe');
        assert.ok(sent, 'the htmx request was made');
        assert.equal(sent['x-csrf-token'], token);

        await page.screenshot({ path: path.join(SHOTS, 'dashboard-desktop.png'), fullPage: true });
        assert.deepEqual(errors, []);
    });

    test('on a phone (375 px) the nav is behind the Menu button', async () => {
        const phone = await browser.newContext({
            storageState: await context.storageState(),
            viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
        });
        try {
            const p = await phone.newPage();
            const perrors = watch(p);
            await p.goto(url('/'));
            assert.equal(p.url(), url('/'));
            const menu = p.getByRole('button', { name: 'Menu' });
            assert.ok(await menu.isVisible(), 'the Menu button shows');
            assert.equal(await menu.getAttribute('aria-expanded'), 'false');
            const leads = p.locator('#nav').getByRole('link', { name: 'Leads' });
            assert.equal(await leads.isVisible(), false, 'the nav is folded');
            // Nothing wider than the screen: no sideways scrolling of the page.
            assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= innerWidth),
                'the page fits 375 px');
            await p.screenshot({ path: path.join(SHOTS, 'dashboard-phone.png'), fullPage: true });

            await menu.click();
            assert.equal(await menu.getAttribute('aria-expanded'), 'true');
            for (const name of NAV) {
                assert.ok(await p.locator('#nav').getByRole('link', { name, exact: true }).isVisible(),
                    `nav link ${name} after opening the menu`);
            }
            assert.ok(await p.getByRole('button', { name: 'Log out' }).isVisible());
            await p.screenshot({ path: path.join(SHOTS, 'dashboard-phone-menu.png'), fullPage: true });

            await p.keyboard.press('Escape');
            assert.equal(await menu.getAttribute('aria-expanded'), 'false');
            assert.equal(await leads.isVisible(), false, 'Escape folds the nav again');
            assert.ok(await menu.evaluate((b) => b === document.activeElement), 'focus on Menu');
            assert.deepEqual(perrors, []);
        } finally {
            await phone.close();
        }
    });

    test('logging out (the form with the CSRF token) lands on /login with a flash', async () => {
        const token = await page.locator('meta[name="csrf-token"]').getAttribute('content');
        const form = page.locator('form[action="/logout"]');
        assert.equal(await form.getAttribute('method'), 'post');
        assert.equal(await form.locator('input[name="_csrf"]').inputValue(), token);
        await Promise.all([
            page.waitForURL(url('/login'), { waitUntil: 'load' }),
            form.getByRole('button', { name: 'Log out' }).click(),
        ]);
        assert.equal(page.url(), url('/login'));
        const flash = page.getByRole('status');
        assert.equal((await flash.textContent()).trim(), 'You are logged out.');
        assert.equal(await page.locator('#nav').count(), 0, 'no navigation once logged out');

        // The session ended on the server: the dashboard asks for a login again,
        // and the flash was shown once.
        await page.goto(url('/'));
        assert.equal(page.url(), url('/login?next=%2F'));
        assert.equal(await page.locator('.flash').count(), 0);
        assert.deepEqual(errors, []);
    });
});

describe('a wrong password', { timeout: 60_000 }, () => {
    test('shows the error and keeps the typed email', async () => {
        const ctx = await browser.newContext({ viewport: DESKTOP });
        try {
            const page = await ctx.newPage();
            await page.goto(url('/login'));
            const typed = user.email.toUpperCase();   // kept exactly as typed
            await page.getByLabel('Email').fill(typed);
            await page.getByLabel('Password').fill(`${user.password}-wrong`);
            const [res] = await Promise.all([
                page.waitForResponse((r) => r.url() === url('/login')
                    && r.request().method() === 'POST'),
                page.getByRole('button', { name: 'Log in' }).click(),
            ]);
            assert.equal(res.status(), 401);
            await page.waitForLoadState('load');
            assert.equal(page.url(), url('/login'));
            const alert = page.getByRole('alert');
            assert.equal((await alert.textContent()).trim(), 'wrong email or password');
            assert.equal(await page.getByLabel('Email').inputValue(), typed);
            assert.equal(await page.getByLabel('Password').inputValue(), '');
            assert.equal(await page.locator('#nav').count(), 0);
            await page.screenshot({ path: path.join(SHOTS, 'login-error.png') });
        } finally {
            await ctx.close();
        }
    });
});
