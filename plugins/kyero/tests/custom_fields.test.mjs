// Custom fields on feed imports: a tenant's field{kind = "property"} definitions run on
// every imported listing as on an API edit (compute fills the values stored into custom,
// required and validate refuse), a refused listing is rejected with the field and the feed's
// id while the others import, a listing the tenant had stays as it was (not withdrawn), and
// a tenant without property fields imports as before.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../../../tests/api/_http.mjs';
import { feed, feedImport, property, sql, sqlValue, tenantWithToken, tmpFile } from './_kyero.mjs';

const FIELDS = `
field{kind = "property", key = "headline", type = "text", label = "Headline",
  compute = function(rec) return (rec.type or "") .. " in " .. (rec.town or "?") end}
field{kind = "property", key = "rooms", type = "number", label = "Rooms",
  compute = function(rec) return rec.beds end,
  validate = function(v, rec) return v <= 8 or "more than 8 bedrooms" end}
`;
const REQUIRED = `
field{kind = "property", key = "licence", type = "text", label = "Tourist licence", required = true}
`;

let t;
before(async () => {
    t = await tenantWithToken('kycf');
    const put = await api('PUT', '/api/v1/scripts/fields.props', { token: t.token, json: { code: FIELDS } });
    assert.ok([200, 201].includes(put.status), put.text);
});

// One feed per tenant: the CLI names it by the file's name.
function run(slug, props, name) {
    const r = feedImport(slug, tmpFile(name, feed(props)));
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.equal(r.report.status, 'ok', r.stdout);
    return r.report;
}

/** { ref: [town, status, custom object or null] } of the tenant's listings. */
function listings(tenantId) {
    return Object.fromEntries(sql(`SELECT ref, town, status, custom FROM properties WHERE tenant_id = ${tenantId}
        ORDER BY ref`).map(([ref, town, status, custom]) => [ref, [town, status, custom === null ? null : JSON.parse(custom)]]));
}

test('computed values are stored, a refused listing is rejected naming the field and the feed id', () => {
    const rep = run(t.slug, [
        property({ id: 'a', ref: 'CF-A', type: 'villa', town: 'Jávea', beds: '2' }),
        property({ id: 'b', ref: 'CF-B', type: 'villa', town: 'Altea', beds: '12' }),
        property({ id: 'c', ref: 'CF-C', type: 'apartment', town: 'Calpe', beds: '3' }),
    ], 'listings.xml');
    assert.deepEqual([rep.received, rep.created, rep.rejected], [3, 2, 1]);
    assert.equal(rep.errors.length, 1);
    assert.equal(rep.errors[0].id, 'b');
    assert.equal(rep.errors[0].ref, 'CF-B');
    assert.equal(rep.errors[0].reason, 'custom.rooms: more than 8 bedrooms (feed property b)');
    const got = listings(t.id);
    assert.deepEqual(got['CF-A'], ['Jávea', 'active', { headline: 'villa in Jávea', rooms: 2 }]);
    assert.deepEqual(got['CF-C'], ['Calpe', 'active', { headline: 'apartment in Calpe', rooms: 3 }]);
    assert.equal(got['CF-B'], undefined, 'nothing of the refused listing is saved');
    assert.equal(sqlValue(`SELECT COUNT(*) FROM kyero_items WHERE tenant_id = ${t.id} AND source_id = 'b'`), '0');
    // The API reads the same values.
    const pid = Number(sqlValue(`SELECT id FROM properties WHERE tenant_id = ${t.id} AND ref = 'CF-A'`));
    return api('GET', `/api/v1/properties/${pid}`, { token: t.token }).then((r) => {
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.data.custom, { headline: 'villa in Jávea', rooms: 2 });
    });
});

test('a changed listing is recomputed; a fixed one imports', () => {
    const rep = run(t.slug, [
        property({ id: 'a', ref: 'CF-A', type: 'villa', town: 'Dénia', beds: '4', date: '2026-02-01 10:00:00' }),
        property({ id: 'b', ref: 'CF-B', type: 'villa', town: 'Altea', beds: '5' }),
        property({ id: 'c', ref: 'CF-C', type: 'apartment', town: 'Calpe', beds: '3' }),
    ], 'listings.xml');
    assert.deepEqual([rep.created, rep.updated, rep.unchanged, rep.rejected], [1, 1, 1, 0]);
    const got = listings(t.id);
    assert.deepEqual(got['CF-A'][2], { headline: 'villa in Dénia', rooms: 4 });
    assert.deepEqual(got['CF-B'][2], { headline: 'villa in Altea', rooms: 5 });
});

test('a required field refuses listings until the agency fills it; a refused listing the tenant had stays as it was', async () => {
    const put = await api('PUT', '/api/v1/scripts/fields.req', { token: t.token, json: { code: REQUIRED } });
    assert.ok([200, 201].includes(put.status), put.text);
    const feedA = (town, date) => property({ id: 'a', ref: 'CF-A', type: 'villa', town, beds: '4', date });
    const rest = [property({ id: 'b', ref: 'CF-B', type: 'villa', town: 'Altea', beds: '5' }),
        property({ id: 'c', ref: 'CF-C', type: 'apartment', town: 'Calpe', beds: '3' })];
    let rep = run(t.slug, [feedA('Moraira', '2026-03-01 10:00:00'), ...rest], 'listings.xml');
    assert.deepEqual([rep.updated, rep.unchanged, rep.rejected, rep.withdrawn], [0, 2, 1, 0]);
    assert.equal(rep.errors[0].reason, 'custom.licence: is required (feed property a)');
    assert.deepEqual(listings(t.id)['CF-A'], ['Dénia', 'active', { headline: 'villa in Dénia', rooms: 4 }],
        'the refused update left the listing as it was, in the feed');
    const pid = Number(sqlValue(`SELECT id FROM properties WHERE tenant_id = ${t.id} AND ref = 'CF-A'`));
    const patch = await api('PATCH', `/api/v1/properties/${pid}`, { token: t.token, json: { custom: { licence: 'VT-123' } } });
    assert.equal(patch.status, 200, patch.text);
    rep = run(t.slug, [feedA('Moraira', '2026-03-01 10:00:00'), ...rest], 'listings.xml');
    assert.deepEqual([rep.updated, rep.rejected], [1, 0], JSON.stringify(rep.errors));
    assert.deepEqual(listings(t.id)['CF-A'], ['Moraira', 'active',
        { headline: 'villa in Moraira', rooms: 4, licence: 'VT-123' }], 'the agency\'s value is kept, the rest recomputed');
});

test('a tenant without property fields imports as before, custom untouched', async () => {
    const other = await tenantWithToken('kycf0');
    const rep = run(other.slug, [property({ id: 'z', ref: 'CF-Z', beds: '12' })], 'listings.xml');
    assert.deepEqual([rep.created, rep.rejected], [1, 0]);
    assert.deepEqual(listings(other.id)['CF-Z'].slice(1), ['active', null]);
});
