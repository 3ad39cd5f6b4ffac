// The properties pages in a real browser: create a property through the form,
// upload and reorder photos, publish it, mark it sold and see it leave the
// publications, clean up the MLS status check, see the matches of a lead, and
// the map. Debian's Chromium driven by playwright-core; requests to anything
// but the test instance are blocked (the map's tiles would go out).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { png } from '../../plugins/properties/tests/_props.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHOTS = path.join(ROOT, 'var/test/screenshots');
const BASE = process.env.TS_BASE.replace(/\/+$/, '');
const url = (p) => BASE + p;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function sql(query) {
    const text = readFileSync(process.env.TS_CONF, 'utf8');
    const sec = text.split(/^\[/m).find((s) => s.startsWith('db:main]'));
    const get = (k) => (sec.match(new RegExp(`^${k}\\s*=\\s*(.*)$`, 'm')) ?? [])[1]?.trim();
    return execFileSync('mariadb', [`--socket=${get('socket')}`, `-u${get('user') || 'root'}`, '-N', '-B',
        get('database'), '-e', query], { encoding: 'utf8' }).trim();
}

let context, profile, page, tmp, tenantId;
const user = { email: `e2e-props-${randomBytes(5).toString('hex')}@demo.localhost`,
    password: `Pw-${randomBytes(8).toString('hex')}`, name: 'Property Manager' };
const errors = [];

/** The API from inside the page: the session cookie and its CSRF token. */
function api(method, p, body) {
    return page.evaluate(async ([m, u, b]) => {
        const token = document.querySelector('meta[name="csrf-token"]').content;
        const res = await fetch(u, { method: m, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
            body: b === undefined ? undefined : JSON.stringify(b) });
        return { status: res.status, json: res.status === 204 ? null : await res.json() };
    }, [method, p, body]);
}

before(async () => {
    execFileSync(process.env.TS_CLI, ['-c', process.env.TS_CONF, 'user', 'create', '--tenant', 'demo',
        '--email', user.email, '--role', 'manager', '--password', user.password, '--name', user.name],
    { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    tenantId = sql("SELECT id FROM tenants WHERE slug = 'demo'");
    sql("INSERT IGNORE INTO property_portals (tenant_id, code, name, plugin) VALUES (0, 'e2eportal', 'E2E Portal', 'e2e')");
    mkdirSync(SHOTS, { recursive: true });
    tmp = mkdtempSync(path.join(tmpdir(), 'tesoro-e2e-props-'));
    writeFileSync(path.join(tmp, 'front.png'), png(800, 600));
    writeFileSync(path.join(tmp, 'garden.png'), png(640, 480));
    profile = mkdtempSync(path.join(tmpdir(), 'tesoro-e2e-'));
    context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS, headless: true,
        viewport: { width: 1280, height: 900 }, timeout: 60_000,
    });
    context.setDefaultTimeout(15_000);
    const local = new URL(BASE).host;
    await context.route('**/*', (route) => (new URL(route.request().url()).host === local
        ? route.continue() : route.abort()));
    page = context.pages()[0] ?? await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => d.accept());
    await page.goto(url('/login'));
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await Promise.all([page.waitForURL(url('/')), page.getByRole('button', { name: 'Log in' }).click()]);
});

after(async () => {
    await context?.close();
    for (const d of [profile, tmp]) {
        if (d) {
            rmSync(d, { recursive: true, force: true });
        }
    }
});

describe('properties in the browser', { timeout: 180_000 }, () => {
    let id;

    test('create a property through the form; a bad value is shown beside its field', async () => {
        await page.goto(url('/properties/new'));
        await page.getByLabel('Type').selectOption('villa');
        await page.getByLabel('Status').selectOption('active');
        await page.getByLabel('Price (whole units)').fill('450000');
        await page.getByLabel('Town').fill('Jávea');
        await page.getByLabel('Bedrooms').fill('3');
        await page.getByLabel('Bathrooms').fill('2');
        await page.getByLabel('Built area (m²)').fill('180');
        await page.getByLabel('Latitude').fill('95');
        await page.getByLabel('Longitude').fill('0.17');
        await page.locator('#title-en').fill('Villa with a sea view');
        await page.getByRole('button', { name: 'Save' }).click();
        const err = page.locator('[data-for="latitude"]');
        await err.waitFor({ state: 'visible' });
        assert.match(await err.textContent(), /between -90 and 90/);
        assert.equal(await page.getByLabel('Town').inputValue(), 'Jávea', 'nothing typed is lost');
        await page.getByLabel('Latitude').fill('38.79');
        await Promise.all([page.waitForURL(/\/properties\/\d+$/), page.getByRole('button', { name: 'Save' }).click()]);
        id = Number(new URL(page.url()).pathname.split('/').pop());
        await page.getByRole('heading', { level: 1 }).waitFor();
        assert.match(await page.locator('#status-badge').textContent(), /active/);
        assert.match(await page.locator('main').textContent(), /450,000 EUR/);
    });

    test('upload two photos and reorder them', async () => {
        await page.locator('#photo-files').setInputFiles([path.join(tmp, 'front.png'), path.join(tmp, 'garden.png')]);
        await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Upload' }).click()]);
        await page.locator('#gallery li').nth(1).waitFor();
        const before = await page.locator('#gallery li').evaluateAll((lis) => lis.map((l) => Number(l.dataset.id)));
        assert.equal(before.length, 2);
        const img = page.locator('#gallery li img').first();
        await img.waitFor();
        assert.ok(await img.evaluate((i) => i.complete && i.naturalWidth === 320), 'the thumbnail loads through nginx');
        await page.locator('#gallery li').first().getByRole('button', { name: /later/ }).click();
        await page.waitForSelector('#gallery[data-saved="yes"]');
        const media = await api('GET', `/api/v1/properties/${id}/media`);
        const photos = media.json.data.filter((m) => m.kind === 'photo').sort((a, b) => a.position - b.position);
        assert.deepEqual(photos.map((m) => m.id), [before[1], before[0]]);
        await page.screenshot({ path: path.join(SHOTS, 'property-page.png'), fullPage: true });
    });

    test('publish it, mark it sold, and see it leave the publications', async () => {
        await page.getByLabel('Portal').selectOption('e2eportal');
        await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Publish' }).click()]);
        await page.locator('#publications tr[data-portal="e2eportal"][data-current="1"]').waitFor();
        await page.getByLabel('New status').selectOption('sold');
        await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Change status' }).click()]);
        assert.match(await page.locator('#status-badge').textContent(), /sold/);
        assert.equal(await page.locator('#publications tr[data-current="1"]').count(), 0);
        assert.match(await page.locator('#publications').textContent(), /status/);
        assert.match(await page.locator('#timeline').textContent(), /Publications ended automatically \(status sold\): e2eportal/);
        // Back to active needs a reason: the refusal shows, nothing changes.
        await page.getByLabel('New status').selectOption('active');
        await page.getByRole('button', { name: 'Change status' }).click();
        await page.locator('[data-for="status"]').waitFor({ state: 'visible' });
        assert.match(await page.locator('[data-for="status"]').textContent(), /needs a status_reason/);
    });

    test('the MLS status check lists a stale listing and depublishes it in one click', async () => {
        const p = await api('POST', '/api/v1/properties', { type: 'apartment', status: 'active', town: 'Denia' });
        assert.equal(p.status, 201);
        assert.equal((await api('PUT', `/api/v1/properties/${p.json.data.id}/publications/e2eportal`)).status, 201);
        // What an import that bypassed the rules leaves behind.
        sql(`UPDATE properties SET status = 'off_market' WHERE tenant_id = ${tenantId} AND id = ${p.json.data.id}`);
        await page.goto(url('/properties/mls-check'));
        await page.locator('#mls-stale').getByRole('link', { name: p.json.data.ref }).waitFor();
        await page.screenshot({ path: path.join(SHOTS, 'mls-check.png'), fullPage: true });
        await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: /Depublish all/ }).click()]);
        await page.locator('#mls-clean').waitFor();
        await page.goto(url(`/properties?mls_check=1`));
        await page.locator('.empty').waitFor();
    });

    test('a lead\'s matches, exact fits first, with reasons', async () => {
        const p = await api('POST', '/api/v1/properties', { type: 'villa', status: 'active', town: 'Xàbia',
            price: 42000000, built_area: 200, beds: 4, baths: 3, latitude: 38.78, longitude: 0.18 });
        assert.equal(p.status, 201);
        sql(`INSERT INTO contacts (tenant_id, kind, type, first_name, last_name, transaction, budget_min, budget_max,
             bedrooms_min, preferences) VALUES (${tenantId}, 'lead', 'buyer', 'Maria', 'E2E', 'sale', 35000000,
             45000000, 3, '{"towns":["Jávea"],"property_types":["villa"]}')`);
        const lead = sql(`SELECT MAX(id) FROM contacts WHERE tenant_id = ${tenantId} AND last_name = 'E2E'`);
        await page.goto(url(`/properties/matches?lead=${lead}`));
        const item = page.locator(`#lead-matches > li[data-id="${p.json.data.id}"]`);
        await item.waitFor();
        assert.match(await item.textContent(), /exact/);
        assert.match(await item.textContent(), /price 42000000 within 35000000–45000000/);
        await page.goto(url(`/properties/${p.json.data.id}`));
        assert.match(await page.locator('#matches').textContent(), /Maria E2E/);
    });

    test('the list shows the columns, and the map the filtered properties', async () => {
        await page.goto(url('/properties?status=active'));
        const table = page.locator('table.list');
        await table.waitFor();
        for (const h of ['Ref', 'Status', 'MLS', 'Published', 'Agent', 'Web views', 'Complete']) {
            assert.ok(await table.getByRole('columnheader', { name: h }).count(), h);
        }
        await page.getByRole('link', { name: 'Map' }).click();
        await page.waitForSelector('#map[data-count]');
        assert.ok(Number(await page.locator('#map').getAttribute('data-count')) >= 1);
        assert.ok(await page.locator('.leaflet-interactive').count() >= 1, 'a marker per property');
        await page.screenshot({ path: path.join(SHOTS, 'property-map.png') });
        assert.deepEqual(errors, []);
    });
});
