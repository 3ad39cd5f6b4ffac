// What the browser suites share: the instance's address, a demo-agency user
// made with the CLI, Debian's Chromium with a throw-away profile, and a login.
// Environment: TS_BASE, TS_CLI, TS_CONF, CHROMIUM (see login.test.mjs).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHOTS = path.join(ROOT, 'var/test/screenshots');
const missing = ['TS_BASE', 'TS_CLI', 'TS_CONF'].filter((k) => !process.env[k]);
if (missing.length) {
    throw new Error(`set ${missing.join(', ')} (see the top of login.test.mjs)`);
}
export const BASE = process.env.TS_BASE.replace(/\/+$/, '');
export const url = (p) => BASE + p;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A user of the demo agency with a password: { email, password, name }. */
export function createUser(label, { role = 'agent', name = 'Contacts Agent' } = {}) {
    const user = { email: `e2e-${label}-${randomBytes(4).toString('hex')}@demo.localhost`,
        password: `Pw-${randomBytes(8).toString('hex')}`, name };
    execFileSync(process.env.TS_CLI, ['-c', process.env.TS_CONF, 'user', 'create', '--tenant', 'demo',
        '--email', user.email, '--role', role, '--password', user.password, '--name', user.name],
    { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    return user;
}

/** Chromium with a fresh profile; console errors not matched by `ignore` land in `errors`. */
export async function openBrowser(label, { ignore } = {}) {
    mkdirSync(SHOTS, { recursive: true });
    const profile = mkdtempSync(path.join(tmpdir(), `tesoro-e2e-${label}-`));
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS, headless: true,
        viewport: { width: 1280, height: 900 }, timeout: 60_000,
    });
    context.setDefaultTimeout(15_000);
    const page = context.pages()[0] ?? await context.newPage();
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && !(ignore && ignore.test(m.text())) && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    return { context, profile, page, errors };
}

export async function closeBrowser(b) {
    await b?.context?.close();
    if (b?.profile) {
        rmSync(b.profile, { recursive: true, force: true });
    }
}

export async function logIn(page, user) {
    await page.goto(url('/login'));
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await Promise.all([page.waitForURL(url('/')), page.getByRole('button', { name: 'Log in' }).click()]);
}
