// A lead converted with "and create a deal" in a real browser: the lead page
// converts it, the deal is made from it (main contact, buy or rent from its
// preferences, the preferences copied) and opened; then the deals list saves
// its filters as a view, which the view tabs and GET /api/v1/deals?view= apply; a
// deal from a lead with preferences lists a fitting property and links it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { SHOTS, closeBrowser, createUser, logIn, openBrowser, url } from './_browser.mjs';

const suffix = randomBytes(4).toString('hex');
let b, page, token;

async function api(method, p, json) {
    const res = await fetch(url(p), { method, headers: { authorization: `Bearer ${token}`,
        'content-type': 'application/json' }, body: json ? JSON.stringify(json) : undefined });
    return { status: res.status, json: await res.json().catch(() => null) };
}

before(async () => {
    const user = createUser('dealslead', { role: 'agent', name: 'Lead Agent' });
    token = execFileSync(process.env.TS_CLI, ['-c', process.env.TS_CONF, 'token', 'create', '--tenant', 'demo',
        '--email', user.email], { encoding: 'utf8', timeout: 30_000 }).trim().split('\n').pop();
    b = await openBrowser('dealslead');
    page = b.page;
    await logIn(page, user);
});

after(async () => closeBrowser(b));

describe('a lead converted with a deal, and saved views of deals', { timeout: 120_000 }, () => {
    let leadId, dealId;

    test('"and create a deal" converts the lead and opens its new rent deal', async () => {
        const lead = await api('POST', '/api/v1/leads', { first_name: 'Greta', last_name: `Lind ${suffix}`,
            type: 'buyer', source: 'website', preferences: { transaction: 'rent', towns: ['Dénia'],
                areas: ['Les Rotes'], property_types: ['apartment'], budget_max: 150000, bedrooms_min: 2 } });
        assert.equal(lead.status, 201, JSON.stringify(lead.json));
        leadId = lead.json.data.id;
        await page.goto(url(`/leads/${leadId}`));
        await page.getByLabel('and create a deal').check();
        await Promise.all([page.waitForURL(/\/deals\/\d+$/), page.getByRole('button', { name: 'Convert to contact' }).click()]);
        dealId = Number(new URL(page.url()).pathname.split('/').pop());
        await page.getByRole('heading', { level: 1, name: new RegExp(`Greta Lind ${suffix}`) }).waitFor();
        await page.screenshot({ path: path.join(SHOTS, 'deals-from-lead.png'), fullPage: true });
        const d = await api('GET', `/api/v1/deals/${dealId}`);
        assert.equal(d.status, 200);
        assert.equal(d.json.data.type, 'rent');
        assert.deepEqual(d.json.data.contacts.map((c) => [c.id, c.kind]), [[leadId, 'main']]);
        assert.deepEqual(d.json.data.preferences.areas, ['Les Rotes']);
        assert.equal(d.json.data.preferences.budget_max, 150000);
        const c = await api('GET', `/api/v1/contacts/${leadId}`);
        assert.equal(c.status, 200, 'the lead is a contact now');
    });

    test('the deals list saves its filters as a view; the tab and the API apply it', async () => {
        await page.goto(url(`/deals/list?q=${encodeURIComponent(`Lind ${suffix}`)}&status=open`));
        assert.equal(await page.locator('table.list tbody tr').count(), 1);
        await page.getByLabel('Save as view').fill(`Lind ${suffix}`);
        await Promise.all([page.waitForURL(/\/deals\/list\?view=\d+$/), page.getByRole('button', { name: 'Save view' }).click()]);
        const viewId = Number(new URL(page.url()).searchParams.get('view'));
        const tab = page.getByRole('navigation', { name: 'Saved views' }).getByRole('link', { name: `Lind ${suffix}` });
        assert.equal(await tab.getAttribute('aria-current'), 'page');
        assert.deepEqual(await page.locator('table.list tbody tr a').allTextContents(), [`Greta Lind ${suffix}`]);
        await page.screenshot({ path: path.join(SHOTS, 'deals-saved-view.png'), fullPage: true });
        const v = await api('GET', `/api/v1/views/${viewId}`);
        assert.equal(v.status, 200);
        assert.equal(v.json.data.list, 'deals');
        assert.deepEqual(v.json.data.filters, { q: `Lind ${suffix}`, status: 'open' });
        const list = await api('GET', `/api/v1/deals?view=${viewId}`);
        assert.deepEqual(list.json.data.map((d) => d.id), [dealId]);
        // "All deals" leaves the view
        await page.getByRole('navigation', { name: 'Saved views' }).getByRole('link', { name: 'All deals' }).click();
        await page.waitForURL(url('/deals/list'));
        assert.ok(await page.locator('table.list tbody tr').count() >= 1);
        assert.equal(b.errors.length, 0, b.errors.join('\n'));
    });

    test('the deal from a lead lists a fitting property among its matches, and links it to the deal', async () => {
        const town = `Tormos ${suffix}`;
        const fit = await api('POST', '/api/v1/properties', { type: 'villa', transaction: 'sale', status: 'active',
            town, price: 42000000, beds: 4 });
        assert.equal(fit.status, 201, JSON.stringify(fit.json));
        const small = await api('POST', '/api/v1/properties', { type: 'villa', transaction: 'sale', status: 'active',
            town, price: 30000000, beds: 2 });
        assert.equal(small.status, 201, JSON.stringify(small.json));
        const lead = await api('POST', '/api/v1/leads', { first_name: 'Pau', last_name: `Serra ${suffix}`,
            type: 'buyer', source: 'website', preferences: { transaction: 'sale', towns: [town],
                property_types: ['villa'], budget_max: 40000000, bedrooms_min: 3 } });
        assert.equal(lead.status, 201, JSON.stringify(lead.json));
        await page.goto(url(`/leads/${lead.json.data.id}`));
        await page.getByLabel('and create a deal').check();
        await Promise.all([page.waitForURL(/\/deals\/\d+$/), page.getByRole('button', { name: 'Convert to contact' }).click()]);
        const id = Number(new URL(page.url()).pathname.split('/').pop());
        const card = page.getByRole('region', { name: 'Matching properties' });
        const item = card.locator(`li[data-property="${fit.json.data.id}"]`);
        await item.waitFor();
        assert.equal(await card.locator('li').count(), 1, 'the two-bedroom villa does not fit');
        assert.equal(await item.getByRole('link', { name: fit.json.data.ref }).getAttribute('href'), `/properties/${fit.json.data.id}`);
        const text = (await item.textContent()).replace(/\s+/g, ' ');
        assert.match(text, new RegExp(`${town} · [^·]*420,000[^·]* · 4 beds`));
        assert.match(text, /Fits transaction, bedrooms, type, town or area/);
        assert.match(text, /stretched: price 5% over the budget/);
        await page.screenshot({ path: path.join(SHOTS, 'deals-matches.png'), fullPage: true });
        await Promise.all([page.waitForURL(url(`/deals/${id}`)), item.getByRole('button', { name: 'Link to this deal' }).click()]);
        await item.getByText('Linked').waitFor();
        assert.equal(await item.getByRole('button', { name: 'Link to this deal' }).count(), 0);
        const props = page.getByRole('region', { name: 'Properties', exact: true });
        assert.equal(await props.getByRole('link', { name: fit.json.data.ref }).count(), 1);
        const d = await api('GET', `/api/v1/deals/${id}`);
        assert.deepEqual(d.json.data.properties.map((p) => [p.id, p.primary]), [[fit.json.data.id, true]]);
        assert.equal(b.errors.length, 0, b.errors.join('\n'));
    });

    test('a view without a name is refused with the field named, nothing saved', async () => {
        const before = (await api('GET', '/api/v1/views?list=deals')).json.data.length;
        await page.goto(url('/deals/list'));
        await page.locator('#view-name').evaluate((el) => { el.removeAttribute('required'); });
        await page.getByRole('button', { name: 'Save view' }).click();
        await page.locator('.flash.error').filter({ hasText: 'name: required' }).waitFor();
        assert.equal((await api('GET', '/api/v1/views?list=deals')).json.data.length, before);
    });
});
