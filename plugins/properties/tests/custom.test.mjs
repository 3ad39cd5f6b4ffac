// Custom fields of properties: the tenant's field{kind = "property"}
// definitions checked on create and patch (unknown keys, types, validate,
// compute; a refused write saves nothing), and the form and record pages
// showing them (the form is sent by properties.js, see tests/e2e/custom_fields.test.mjs).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, session } from '../../../tests/api/_http.mjs';
import { api, show, sql, world } from './_props.mjs';

const SCRIPT = `
field{kind = "property", key = "pool_size", type = "number", label = "Pool size (m²)",
  validate = function(v, rec) return v > 0 or "must be positive" end}
field{kind = "property", key = "view", type = "multiselect", label = "Views", options = {"sea", "mountain"}}
field{kind = "property", key = "tag_line", type = "text", label = "Tag line",
  compute = function(rec) return (rec.type or "") .. " in " .. (rec.town or "?") end}
`;

let W, call;
before(async () => {
    W = await world('pcf');
    call = (method, path, json) => api(method, path, { token: W.tok.agent, json });
    const put = await api('PUT', '/api/v1/scripts/fields.props', { token: W.tok.admin, json: { code: SCRIPT } });
    assert.ok([200, 201].includes(put.status), show(put));
});

test('create and patch check custom values; computed ones are stored', async () => {
    const ok = await call('POST', '/api/v1/properties', { type: 'villa', town: 'Jávea', custom: { pool_size: 32, view: ['sea'] } });
    assert.equal(ok.status, 201, show(ok));
    assert.deepEqual(ok.json.data.custom, { pool_size: 32, view: ['sea'], tag_line: 'villa in Jávea' });
    for (const [custom, field, msg] of [[{ pool_size: -1 }, 'custom.pool_size', 'must be positive'],
        [{ view: ['lake'] }, 'custom.view', 'is not one of the options'],
        [{ garage: true }, 'custom.garage', 'unknown field']]) {
        const bad = await call('POST', '/api/v1/properties', { type: 'villa', town: 'Refusedtown', custom });
        assert.equal(bad.status, 422, show(bad));
        assert.equal(bad.json.error.fields[field], msg, show(bad));
    }
    assert.equal(Number(sql(`SELECT COUNT(*) FROM properties WHERE tenant_id = ${Number(W.t.id)} AND town = 'Refusedtown'`)), 0);
    const id = ok.json.data.id;
    const bad = await call('PATCH', `/api/v1/properties/${id}`, { town: 'Dénia', custom: { pool_size: 0 } });
    assert.equal(bad.status, 422, show(bad));
    let got = (await call('GET', `/api/v1/properties/${id}`)).json.data;
    assert.equal(got.town, 'Jávea', 'a refused patch changes nothing');
    const patched = await call('PATCH', `/api/v1/properties/${id}`, { town: 'Dénia', custom: { pool_size: 40 } });
    assert.equal(patched.status, 200, show(patched));
    got = (await call('GET', `/api/v1/properties/${id}`)).json.data;
    assert.deepEqual(got.custom, { pool_size: 40, tag_line: 'villa in Dénia' });
});

test('the form has the custom inputs and the record page lists the values', async () => {
    const id = (await call('POST', '/api/v1/properties', { type: 'apartment', town: 'Altea', custom: { pool_size: 12, view: ['sea', 'mountain'] } })).json.data.id;
    const jar = await session(W.t, W.users.agent);
    const form = await request('GET', `/properties/${id}/edit`, { host: W.t.host, jar });
    assert.equal(form.status, 200, show(form));
    assert.match(form.text, /name="custom.pool_size" type="number" inputmode="decimal" step="any" value="12" data-type="number"/);
    assert.match(form.text, /name="custom.view" type="checkbox" value="mountain" checked data-type="list"/);
    assert.match(form.text, /<p class="error" id="f-custom-pool_size-error" data-for="custom.pool_size" hidden><\/p>/);
    const page = await request('GET', `/properties/${id}`, { host: W.t.host, jar });
    assert.match(page.text, /<dt>Pool size \(m²\)<\/dt><dd>12<\/dd>/);
    assert.match(page.text, /<dt>Views<\/dt><dd>sea, mountain<\/dd>/);
    assert.match(page.text, /<dt>Tag line<\/dt><dd>apartment in Altea<\/dd>/);
});
