// Stage labels follow the request's Accept-Language (en, es, nl, de, fr),
// beside the unchanged stage codes: board columns and cards, the list, a deal,
// its history; and on the board page.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, request, session, show } from '../../../tests/api/_http.mjs';
import { agency, dealBody } from './_deals.mjs';

let A, id;
const as = (lang, method, path) => api(method, path,
    { token: A.tokens.agent, headers: lang ? { 'accept-language': lang } : {} });

before(async () => {
    A = await agency('labels');
    const r = await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { stage: 'first_visit' }));
    assert.equal(r.status, 201, show(r));
    id = r.json.data.id;
    const o = await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { type: 'sell' }));
    assert.equal(o.status, 201, show(o));
});

describe('stage labels', () => {
    test('the board, the list, a deal and its history speak the asked language', async () => {
        const cases = [
            ['es-ES,es;q=0.9,en;q=0.8', 'Primera visita', 'Conociendo el inmueble', 'Mandato'],
            ['nl', 'Eerste bezichtiging', 'Kennismaking woning', 'Opdracht'],
            ['de-DE', 'Erstbesichtigung', 'Objekt kennenlernen', 'Auftrag'],
            ['fr-CH, fr;q=0.9', 'Première visite', 'Découverte du bien', 'Mandat'],
            ['en-GB', 'First Visit', 'Knowing Property', 'Mandate'],
        ];
        for (const [lang, fv, kp, mandate] of cases) {
            const b = await as(lang, 'GET', '/api/v1/deals/board?pipeline=buyer');
            assert.equal(b.status, 200, show(b));
            const col = b.json.data.columns.find((c) => c.stage === 'first_visit');
            assert.equal(col.label, fv, lang);
            assert.equal(b.json.data.columns[0].label, kp, lang);
            assert.equal(col.cards[0].stage_label, undefined, 'a card takes its column\'s label');
            const owner = await as(lang, 'GET', '/api/v1/deals/board?pipeline=owner');
            assert.equal(owner.json.data.columns[0].label, mandate, lang);
            const list = await as(lang, 'GET', '/api/v1/deals?pipeline=buyer');
            assert.equal(list.json.data.find((d) => d.id === id).stage_label, fv, lang);
            const one = await as(lang, 'GET', `/api/v1/deals/${id}`);
            assert.equal(one.json.data.stage, 'first_visit', 'the code stays');
            assert.equal(one.json.data.stage_label, fv, lang);
            const h = await as(lang, 'GET', `/api/v1/deals/${id}/history`);
            assert.equal(h.json.data[0].to_label, fv, lang);
            assert.equal(h.json.data[0].from_label, null);
        }
    });

    test('the highest q among supported languages wins; otherwise English', async () => {
        for (const [lang, want] of [['ja, de;q=0.3, fr;q=0.7', 'Première visite'], ['ja, zh-CN', 'First Visit'],
            [null, 'First Visit'], ['e', 'First Visit'], ['DE', 'Erstbesichtigung'], ['es;q=0, nl;q=0.1', 'Eerste bezichtiging']]) {
            const b = await as(lang, 'GET', '/api/v1/deals/board?pipeline=buyer');
            assert.equal(b.json.data.columns.find((c) => c.stage === 'first_visit').label, want, String(lang));
        }
    });

    test('the board, the list and the deal page show the labels of the asked language', async () => {
        const jar = await session(A.t, A.users.agent);
        const page = (path, lang) => request('GET', path, { host: A.t.host, jar, headers: { 'accept-language': lang } });
        for (const path of ['/deals?pipeline=buyer', '/deals/list', `/deals/${id}`]) {
            const de = await page(path, 'de');
            assert.equal(de.status, 200, show(de));
            assert.ok(de.text.includes('Erstbesichtigung'), `${path} in German`);
            assert.ok(!de.text.includes('First Visit'), `${path}: no English label left`);
            const es = await page(path, 'es');
            assert.ok(es.text.includes('Primera visita'), `${path} in Spanish`);
        }
    });
});
