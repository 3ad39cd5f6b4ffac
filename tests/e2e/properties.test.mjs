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

    test('the edit form: grouped features, labels, the owner picker and the agent; errors beside their fields', async () => {
        const owner = `Casa Owners ${randomBytes(3).toString('hex')}`;
        sql(`INSERT INTO relations (tenant_id, name, type) VALUES (${tenantId}, '${owner}', 'owner')`);
        const ownerId = Number(sql(`SELECT MAX(id) FROM relations WHERE tenant_id = ${tenantId} AND name = '${owner}'`));
        const me = Number(sql(`SELECT id FROM users WHERE tenant_id = ${tenantId} AND email = '${user.email}'`));
        await page.goto(url(`/properties/${id}/edit`));
        const outdoor = page.locator('fieldset.feature-group[data-category="outdoor"]');
        assert.equal(await outdoor.locator('legend').textContent(), 'Outdoor');
        assert.match(await outdoor.textContent(), /Swimming pool\s+Piscina/, 'the label in the tenant\'s other language');
        assert.equal(await outdoor.locator('[lang="es"]').first().textContent(), 'Piscina');
        await page.getByRole('checkbox', { name: /^Swimming pool/ }).check();
        await page.getByRole('checkbox', { name: /^Sea view/ }).check();
        await page.getByLabel('Labels').fill('sea front, exclusive');
        // The owner: search as you type, pick with the keyboard.
        const combo = page.getByRole('combobox', { name: /Owner/ });
        await combo.fill(owner.slice(0, 14));
        const option = page.getByRole('option', { name: owner });
        await option.waitFor();
        assert.equal(await combo.getAttribute('aria-expanded'), 'true');
        await combo.press('ArrowDown');
        assert.equal(await option.getAttribute('aria-selected'), 'true');
        await combo.press('Enter');
        assert.equal(await combo.inputValue(), owner);
        assert.equal(await page.getByRole('listbox').isHidden(), true);
        await page.getByLabel('Agent').selectOption({ label: user.name });
        await Promise.all([page.waitForURL(url(`/properties/${id}`)), page.getByRole('button', { name: 'Save' }).click()]);
        let rec = (await api('GET', `/api/v1/properties/${id}`)).json.data;
        assert.deepEqual(rec.features, ['pool', 'sea_view']);
        assert.deepEqual(rec.labels, ['exclusive', 'sea front']);
        assert.equal(rec.owner_id, ownerId);
        assert.equal(rec.agent_id, me);
        assert.match(await page.locator('main').textContent(), new RegExp(owner));
        assert.equal(await page.locator('[data-feature="pool"]').textContent(), 'Swimming pool');
        assert.match(await page.locator('dl.props').textContent(), /Agent\s*Property Manager/);

        // Back in the form everything shows; clearing the owner and a box saves too.
        await page.goto(url(`/properties/${id}/edit`));
        assert.equal(await combo.inputValue(), owner);
        assert.ok(await page.getByRole('checkbox', { name: /^Sea view/ }).isChecked());
        assert.equal(await page.getByLabel('Labels').inputValue(), 'exclusive, sea front');
        await page.getByRole('checkbox', { name: /^Swimming pool/ }).uncheck();
        await combo.fill('');
        // API errors land beside their inputs, also where the template has no slot.
        await page.getByLabel('Labels').fill(`ok, ${'x'.repeat(70)}`);
        await page.getByLabel('Town').fill('T'.repeat(120));
        await page.getByRole('button', { name: 'Save' }).click();
        const labelsError = page.locator('[data-for="labels"]');
        await labelsError.waitFor({ state: 'visible' });
        assert.match(await labelsError.textContent(), /1 to 64 characters/);
        assert.equal(await page.getByLabel('Labels').getAttribute('aria-invalid'), 'true');
        const townField = page.locator('.field').filter({ has: page.locator('#town') });
        const townError = townField.locator('.error[data-for="town"]');
        await townError.waitFor({ state: 'visible' });
        assert.match(await townError.textContent(), /100/);
        assert.match(await page.locator('#town').getAttribute('aria-describedby'), /error-town/);
        await page.screenshot({ path: path.join(SHOTS, 'property-form-errors.png'), fullPage: true });
        await page.getByLabel('Town').fill('Jávea');
        await page.getByLabel('Labels').fill('exclusive');
        await Promise.all([page.waitForURL(url(`/properties/${id}`)), page.getByRole('button', { name: 'Save' }).click()]);
        rec = (await api('GET', `/api/v1/properties/${id}`)).json.data;
        assert.deepEqual(rec.features, ['sea_view']);
        assert.deepEqual(rec.labels, ['exclusive']);
        assert.equal(rec.owner_id, null);
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

    test('drag a photo to another place: the order is saved with the documents kept', async () => {
        const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
        writeFileSync(path.join(tmp, 'plan.pdf'), pdf);
        const doc = await page.evaluate(async ([u, bytes]) => {
            const fd = new FormData();
            fd.append('kind', 'document');
            fd.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), 'plan.pdf');
            const res = await fetch(u, { method: 'POST', body: fd,
                headers: { 'X-CSRF-Token': document.querySelector('meta[name="csrf-token"]').content } });
            return res.status;
        }, [`/api/v1/properties/${id}/media`, [...pdf]]);
        assert.equal(doc, 201);
        await page.reload();
        const items = page.locator('#gallery li[data-id]');
        const before = await items.evaluateAll((lis) => lis.map((l) => Number(l.dataset.id)));
        assert.equal(before.length, 2);
        const from = await items.nth(1).locator('img').boundingBox();
        const to = await items.nth(0).boundingBox();
        await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
        await page.mouse.down();
        await page.mouse.move(from.x + from.width / 2 - 10, from.y + from.height / 2, { steps: 5 });
        await page.mouse.move(to.x + 10, to.y + to.height / 2, { steps: 20 });
        await page.mouse.up();
        await page.waitForSelector('#gallery[data-saved="yes"]');
        assert.match(await page.locator('[data-gallery-status]').textContent(), /position 1 of 2/);
        const after = await items.evaluateAll((lis) => lis.map((l) => Number(l.dataset.id)));
        assert.deepEqual(after, [before[1], before[0]]);
        const media = (await api('GET', `/api/v1/properties/${id}/media`)).json.data;
        const photos = media.filter((m) => m.kind === 'photo').sort((a, b) => a.position - b.position);
        assert.deepEqual(photos.map((m) => m.id), after, 'the server has the dragged order');
        // The arrow buttons, with the keyboard, do the same.
        await items.nth(0).getByRole('button', { name: /later/ }).focus();
        await page.keyboard.press('Enter');
        await page.waitForFunction((want) => JSON.stringify([...document.querySelectorAll('#gallery li[data-id]')]
            .map((l) => Number(l.dataset.id))) === want && document.querySelector('#gallery').dataset.saved === 'yes',
        JSON.stringify(before));
        const again = (await api('GET', `/api/v1/properties/${id}/media`)).json.data
            .filter((m) => m.kind === 'photo').sort((a, b) => a.position - b.position);
        assert.deepEqual(again.map((m) => m.id), before);
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

    test('the batch bar: delete with undo, the deleted view, and delete for good with its confirmation', async () => {
        const town = `Batchtown${randomBytes(3).toString('hex')}`;
        const ids = [];
        for (let i = 0; i < 3; i++) {
            const p = await api('POST', '/api/v1/properties', { type: 'apartment', town });
            assert.equal(p.status, 201);
            ids.push(p.json.data.id);
        }
        const live = () => sql(`SELECT COUNT(*) FROM properties WHERE tenant_id = ${tenantId} AND town = '${town}' AND deleted_at IS NULL`);
        const result = page.locator('[data-batch-result]');
        await page.goto(url(`/properties?town=${town}`));
        const bar = page.locator('[data-batch-bar]');
        assert.equal(await bar.isHidden(), true, 'the bar waits for a ticked row');
        await page.locator('tbody input[name="id"]').nth(0).check();
        await page.locator('tbody input[name="id"]').nth(1).check();
        assert.equal(await bar.locator('[data-selected-count]').textContent(), '2');
        await Promise.all([page.waitForEvent('load'), bar.getByRole('button', { name: 'Delete' }).click()]);
        await result.waitFor({ state: 'visible' });
        assert.match(await result.textContent(), /2 properties deleted\./);
        assert.equal(live(), '1');
        await Promise.all([page.waitForEvent('load'), result.getByRole('button', { name: 'Undo' }).click()]);
        assert.match(await result.textContent(), /2 properties restored\./);
        assert.equal(live(), '3');
        // Every property of the filter at once (the dialog is accepted).
        await page.locator('tbody input[name="id"]').nth(0).check();
        await bar.getByRole('checkbox', { name: 'All 3 matching the filter' }).check();
        await Promise.all([page.waitForEvent('load'), bar.getByRole('button', { name: 'Delete' }).click()]);
        assert.match(await result.textContent(), /3 properties deleted\./);
        assert.equal(live(), '0');

        await page.goto(url('/properties'));
        await Promise.all([page.waitForURL(/deleted=1/), page.getByRole('link', { name: 'Deleted' }).click()]);
        await page.goto(url(`/properties?deleted=1`));
        await page.getByLabel('Town').fill(town);
        // Filtering stays in the deleted view.
        await Promise.all([page.waitForURL(new RegExp(`town=${town}&deleted=1`)), page.getByRole('button', { name: 'Filter' }).click()]);
        assert.equal(await page.locator('tbody tr').count(), 3);
        assert.equal(await page.locator('tbody a').count(), 0, 'a deleted listing has no page to link to');
        assert.equal(await page.locator('tbody .badge.bad').first().textContent(), 'deleted');
        assert.equal(await page.getByRole('button', { name: /Delete for good/ }).count(), 0, 'a manager cannot delete for good');
        await page.locator('tbody input[name="id"]').nth(0).check();
        await Promise.all([page.waitForEvent('load'), bar.getByRole('button', { name: 'Undo delete' }).click()]);
        assert.match(await result.textContent(), /1 property restored\./);
        assert.equal(live(), '1');
        assert.equal(await page.locator('tbody tr').count(), 2);

        // An admin deletes the other two for good, after confirming the count.
        const admin = { email: `e2e-props-admin-${randomBytes(4).toString('hex')}@demo.localhost`, password: `Pw-${randomBytes(8).toString('hex')}` };
        execFileSync(process.env.TS_CLI, ['-c', process.env.TS_CONF, 'user', 'create', '--tenant', 'demo', '--email', admin.email,
            '--role', 'admin', '--password', admin.password, '--name', 'Property Admin'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
        await context.clearCookies();
        await page.goto(url('/login'));
        await page.getByLabel('Email').fill(admin.email);
        await page.getByLabel('Password').fill(admin.password);
        await Promise.all([page.waitForURL(url('/')), page.getByRole('button', { name: 'Log in' }).click()]);
        await page.goto(url(`/properties?deleted=1&town=${town}`));
        await page.getByRole('checkbox', { name: 'Select all' }).check();
        await bar.getByRole('button', { name: /Delete for good/ }).click();
        const dialog = page.getByRole('alertdialog');
        await dialog.waitFor();
        assert.match(await dialog.textContent(), /Delete 2 properties and their photos and documents for good\? This cannot be undone\./);
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        assert.equal(await dialog.isHidden(), true);
        assert.equal(sql(`SELECT COUNT(*) FROM properties WHERE tenant_id = ${tenantId} AND town = '${town}'`), '3', 'cancel deletes nothing');
        await bar.getByRole('button', { name: /Delete for good/ }).click();
        await dialog.waitFor();
        await page.screenshot({ path: path.join(SHOTS, 'property-hard-delete.png'), fullPage: true });
        await Promise.all([page.waitForEvent('load'), dialog.getByRole('button', { name: 'Delete 2 properties for good' }).click()]);
        assert.match(await result.textContent(), /2 properties deleted for good\./);
        assert.equal(sql(`SELECT COUNT(*) FROM properties WHERE tenant_id = ${tenantId} AND town = '${town}'`), '1');
        assert.equal(await page.locator('tbody tr').count(), 0);
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
