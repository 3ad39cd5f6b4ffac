// Settings > Scripts in a real browser: a scorer with a syntax error is refused
// with its line beside the editor and the typed text kept; the fixed one is
// saved; a test run on a lead (made through the API) shows the score; a
// rollback puts the previous version back in effect.
// Same environment as login.test.mjs (TS_BASE, TS_CLI, TS_CONF, CHROMIUM).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { api, newToken, newUser, show } from '../api/_http.mjs';

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
const NAME = `e2e_scorer_${randomBytes(4).toString('hex')}`;
const demo = { slug: 'demo' };

// Line 3 lacks its "then": Lua reports it at line 4, where it expected one.
const BROKEN = 'function score(lead, signals)\n  local points = 10\n  if lead.budget_max\n'
    + '    points = points + 30\n  end\n  return points, { "budget" }\nend\n';
const FIXED = BROKEN.replace('if lead.budget_max\n', 'if lead.budget_max then\n');
const BUMPED = FIXED.replace('local points = 10', 'local points = 20');

let context, profile, page, token, admin;
const errors = [];
before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    admin = newUser(demo, 'admin', { name: 'Scripts Admin' });
    token = newToken(demo, admin.email);
    profile = mkdtempSync(path.join(tmpdir(), 'tesoro-e2e-scripts-'));
    context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS, headless: true,
        viewport: { width: 1280, height: 900 }, timeout: 60_000,
    });
    context.setDefaultTimeout(15_000);
    page = context.pages()[0] ?? await context.newPage();
    // The refused upload answers 422 on purpose.
    page.on('console', (m) => m.type() === 'error'
        && !/the server responded with a status of 422/.test(m.text()) && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url('/login'));
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await Promise.all([page.waitForURL(url('/')), page.getByRole('button', { name: 'Log in' }).click()]);
});

after(async () => {
    await context?.close();
    if (profile) {
        rmSync(profile, { recursive: true, force: true });
    }
});

test('the scripts list shows the install scorer as active; a new name opens an empty editor', async () => {
    await page.goto(url('/settings/scripts'));
    const row = page.locator('#scripts tr[data-script="scoring"]');
    await assert.doesNotReject(row.waitFor());
    assert.match(await row.textContent(), /Scorer[\s\S]*(default|v\d+)/);
    assert.match(await page.locator('#active-scorer').textContent(), /\S/);
    await page.getByLabel('New script name').fill(NAME);
    await Promise.all([page.waitForURL(url(`/settings/scripts/${NAME}`)),
        page.getByRole('button', { name: 'Open editor' }).click()]);
    assert.equal(await page.locator('#code').inputValue(), '');
    assert.match(await page.locator('#in-effect').textContent(), /not saved yet/);
});

test('a syntax error is shown with its line and the typed text stays', async () => {
    await page.locator('#code').fill(BROKEN);
    await page.getByRole('button', { name: 'Save as new version' }).click();
    const err = page.locator('#code-error');
    await err.waitFor();
    assert.match(await err.textContent(), /Line 4:/);
    assert.match(await err.textContent(), /'then' expected/);
    assert.equal(await page.locator('#code').inputValue(), BROKEN);
    assert.equal(await page.locator('#code').getAttribute('aria-invalid'), 'true');
    await page.screenshot({ path: path.join(SHOTS, 'script-error.png'), fullPage: true });
    const versions = await api('GET', `/api/v1/scripts/${NAME}/versions`, { token });
    assert.equal(versions.status, 404, show(versions));
});

test('the fixed scorer saves as version 1, then version 2', async () => {
    await page.locator('#code').fill(FIXED);
    await Promise.all([page.waitForURL(url(`/settings/scripts/${NAME}`)),
        page.getByRole('button', { name: 'Save as new version' }).click()]);
    await page.locator('#code-form').waitFor();
    assert.equal(await page.locator('#code-error').count(), 0);
    assert.match(await page.locator('main .flash').textContent(), /saved/i);
    assert.match(await page.locator('#in-effect').textContent(), /version 1/);
    await page.locator('#code').fill(BUMPED);
    await page.getByRole('button', { name: 'Save as new version' }).click();
    await page.locator('#in-effect', { hasText: 'version 2' }).waitFor();
    assert.equal(await page.locator('#versions tbody tr').count(), 2);
});

test('a test run on a lead shows the score; a missing record shows the error', async () => {
    const lead = await api('POST', '/api/v1/leads', {
        token, json: { first_name: 'Scripted', last_name: `Lead ${NAME}`, preferences: { budget_max: 400000 } },
    });
    assert.equal(lead.status, 201, show(lead));
    await page.getByLabel('Record id').fill(String(lead.json.data.id));
    await page.getByRole('button', { name: 'Test run' }).click();
    await page.locator('#test-result').waitFor();
    assert.equal(await page.locator('#test-score').textContent(), '50');
    assert.match(await page.locator('#test-result').textContent(), /warm[\s\S]*budget/);
    await page.screenshot({ path: path.join(SHOTS, 'script-test-run.png'), fullPage: true });

    await page.getByLabel('Record id').fill('999999999');
    await page.getByRole('button', { name: 'Test run' }).click();
    await page.locator('#test-error').waitFor();
    assert.match(await page.locator('#test-error').textContent(), /no such record/);
});

test('rolling back to version 1 puts its code back in effect as version 3', async () => {
    await page.goto(url(`/settings/scripts/${NAME}`));
    await Promise.all([page.waitForURL(url(`/settings/scripts/${NAME}`)),
        page.getByRole('button', { name: 'Roll back to v1' }).click()]);
    await page.locator('#in-effect', { hasText: 'version 3' }).waitFor();
    assert.equal(await page.locator('#code').inputValue(), FIXED);
    const shown = await api('GET', `/api/v1/scripts/${NAME}`, { token });
    assert.equal(shown.status, 200, show(shown));
    assert.equal(shown.json.data.version, 3);
    assert.equal(shown.json.data.code, FIXED);
    assert.deepEqual(errors, []);
});
