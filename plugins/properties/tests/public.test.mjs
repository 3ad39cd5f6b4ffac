// The public website API: only published, available listings, no private
// fields, the exact address only when allowed; photos; the view beacon that
// does not double-count reloads; the public page with schema.org JSON-LD.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, createProperty, png, show, sql, upload, world } from './_props.mjs';

let w, other;
const P = {};

before(async () => {
    w = await world('ppubl');
    other = await world('ppubo');
    P.shown = (await createProperty(w.tok.admin, { type: 'villa', status: 'active', display_on_website: true,
        town: 'Altea', address: 'Calle Secreta 7', hide_address: true, latitude: 38.598765, longitude: -0.051234,
        price: 55000000, beds: 4, commission_bp: 500, notes: 'owner wants cash', owner_id: null,
        descriptions: { en: { title: 'Villa in Altea', text: 'Views.' } }, features: ['pool'] })).id;
    P.open = (await createProperty(w.tok.admin, { type: 'apartment', status: 'active', display_on_website: true,
        town: 'Altea', address: 'Avenida 1', hide_address: false, latitude: 38.6, longitude: -0.05, price: 20000000 })).id;
    P.sold = (await createProperty(w.tok.admin, { type: 'villa', status: 'sold', display_on_website: true, town: 'Altea', price: 1 })).id;
    P.hidden = (await createProperty(w.tok.admin, { type: 'villa', status: 'active', display_on_website: false, town: 'Altea' })).id;
    P.draft = (await createProperty(w.tok.admin, { type: 'villa', status: 'draft', display_on_website: true, town: 'Altea' })).id;
    P.offmarket = (await createProperty(w.tok.admin, { type: 'villa', status: 'off_market', display_on_website: true, town: 'Altea' })).id;
    const ph = await upload(w.tok.admin, P.shown, { filename: 'a.png', type: 'image/png', data: png(400, 300) });
    assert.equal(ph.status, 201);
    P.photo = ph.json.data.id;
    const priv = await upload(w.tok.admin, P.hidden, { filename: 'b.png', type: 'image/png', data: png(40, 30) });
    P.hiddenPhoto = priv.json.data.id;
});

test('the public list: website listings of available statuses, private fields left out', async () => {
    const res = await api('GET', `/public/v1/${w.t.slug}/properties`, { host: w.t.host });
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.json.data.map((p) => p.id), [P.shown, P.open, P.sold]);
    const shown = res.json.data[0];
    for (const k of ['owner_id', 'commission_bp', 'commission_amount', 'notes', 'agent_id', 'custom']) {
        assert.ok(!(k in shown), `${k} is private`);
    }
    assert.equal(shown.address, null, 'the street is hidden');
    assert.equal(shown.latitude, 38.6, 'hidden addresses get coarse coordinates');
    assert.equal(res.json.data[1].address, 'Avenida 1');
    assert.equal(res.json.data[2].price, null, 'sold shows as sold, without a price');
    assert.match(shown.photo, new RegExp(`^/public/v1/${w.t.slug}/media/${P.photo}/medium$`));
    const f = await api('GET', `/public/v1/${w.t.slug}/properties?type=apartment&price_max=30000000`, { host: w.t.host });
    assert.deepEqual(f.json.data.map((p) => p.id), [P.open]);
    const bad = await api('GET', `/public/v1/${w.t.slug}/properties?price_max=abc`, { host: w.t.host });
    assert.equal(bad.status, 422);
});

test('another agency\'s slug, or a hidden listing, answers 404', async () => {
    let res = await api('GET', `/public/v1/${other.t.slug}/properties`, { host: w.t.host });
    assert.equal(res.status, 404);
    res = await api('GET', `/public/v1/${w.t.slug}/properties/${P.hidden}`, { host: w.t.host });
    assert.equal(res.status, 404);
    res = await api('GET', `/public/v1/${w.t.slug}/properties/${P.draft}`, { host: w.t.host });
    assert.equal(res.status, 404);
    res = await api('GET', `/public/v1/${other.t.slug}/properties/${P.shown}`, { host: other.t.host });
    assert.equal(res.status, 404);
    res = await api('GET', `/public/v1/${w.t.slug}/media/${P.hiddenPhoto}/large`, { host: w.t.host });
    assert.equal(res.status, 404, 'photos of hidden listings stay private');
    res = await api('GET', `/public/v1/${w.t.slug}/media/${P.photo}/large`, { host: w.t.host });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'image/jpeg');
});

test('the view beacon counts one view per visitor an hour', async () => {
    const view = (ua) => api('POST', `/public/v1/${w.t.slug}/properties/${P.shown}/view`,
        { host: w.t.host, headers: { 'user-agent': ua } });
    for (let i = 0; i < 3; i++) {
        assert.equal((await view('Browser A')).status, 204);
    }
    assert.equal((await view('Browser B')).status, 204);
    const p = await api('GET', `/api/v1/properties/${P.shown}`, { token: w.tok.viewer });
    assert.equal(p.json.data.web_views, 2);
    // An hour later the same visitor counts again.
    sql(`UPDATE property_web_views SET hour_start = hour_start - INTERVAL 61 MINUTE WHERE tenant_id = ${w.t.id} AND property_id = ${P.shown}`);
    await view('Browser A');
    const again = await api('GET', `/api/v1/properties/${P.shown}`, { token: w.tok.viewer });
    assert.equal(again.json.data.web_views, 3);
    const hidden = await api('POST', `/public/v1/${w.t.slug}/properties/${P.hidden}/view`, { host: w.t.host });
    assert.equal(hidden.status, 404);
});

test('the public page links schema.org JSON-LD', async () => {
    const page = await api('GET', `/p/${w.t.slug}/${P.shown}`, { host: w.t.host });
    assert.equal(page.status, 200, show(page));
    assert.match(page.text, /<h1 id="page-title">Villa in Altea<\/h1>/);
    assert.match(page.text, new RegExp(`href="/public/v1/${w.t.slug}/properties/${P.shown}/jsonld"`));
    assert.doesNotMatch(page.text, /Calle Secreta|owner wants cash/);
    const ld = await api('GET', `/public/v1/${w.t.slug}/properties/${P.shown}/jsonld`, { host: w.t.host });
    assert.equal(ld.headers['content-type'], 'application/ld+json');
    const j = JSON.parse(ld.text);
    assert.equal(j['@context'], 'https://schema.org');
    assert.equal(j['@type'], 'RealEstateListing');
    assert.equal(j.name, 'Villa in Altea');
    assert.equal(j.offers.price, 550000);
    assert.equal(j.offers.priceCurrency, 'EUR');
    assert.equal(j.contentLocation.address.addressLocality, 'Altea');
    assert.equal(j.contentLocation.address.streetAddress, undefined);
});
