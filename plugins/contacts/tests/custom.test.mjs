// Custom field values through the API: a fields script defines them, POST
// and PATCH of leads and contacts check them (types, options, validate,
// compute, unknown keys) and a refused write saves nothing.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { show } from '../../../tests/api/_http.mjs';
import { q } from '../../../tests/api/_lua.mjs';
import { world } from './_contacts.mjs';

const SCRIPT = `
field{kind = "lead", key = "mortgage", type = "money",
  validate = function(v, rec) return v >= 0 or "cannot be negative" end}
field{kind = "lead", key = "viewing_day", type = "select", options = {"saturday", "sunday"}}
field{kind = "lead", key = "label", type = "text",
  compute = function(rec) return (rec.last_name or "") .. " file" end}
field{kind = "contact", key = "pets", type = "multiselect", options = {"cat", "dog"}}
`;

let w, admin;
before(async () => {
    w = await world('cf');
    admin = w.as('admin');
    const res = await admin.put('/api/v1/scripts/fields.cf_test', { code: SCRIPT });
    assert.ok([200, 201].includes(res.status), show(res));
});

const count = (lastName) => Number(q(`SELECT COUNT(*) FROM contacts WHERE tenant_id = ${Number(w.t.id)}`
    + ` AND last_name = '${lastName}'`)[0][0]);

test('a lead is created with valid custom values, computed ones filled', async () => {
    const r = await admin.post('/api/v1/leads', { first_name: 'Ana', last_name: 'Valid',
        custom: { mortgage: 100, viewing_day: 'saturday' } });
    assert.equal(r.status, 201, show(r));
    assert.deepEqual(r.json.data.custom, { mortgage: 100, viewing_day: 'saturday', label: 'Valid file' });
    const got = await admin.get(`/api/v1/leads/${r.json.data.id}`);
    assert.deepEqual(got.json.data.custom, r.json.data.custom);
});

test('an invalid or unknown value answers 422 naming custom.KEY and saves nothing', async () => {
    const neg = await admin.post('/api/v1/leads', { last_name: 'Refused', custom: { mortgage: -5 } });
    assert.equal(neg.status, 422, show(neg));
    assert.deepEqual(neg.json.error.fields, { 'custom.mortgage': 'cannot be negative' });
    const typed = await admin.post('/api/v1/leads', { last_name: 'Refused', custom: { mortgage: 'lots' } });
    assert.deepEqual(typed.json.error.fields, { 'custom.mortgage': 'must be a number' });
    const unknown = await admin.post('/api/v1/leads', { last_name: 'Refused', custom: { shoe_size: 42 } });
    assert.equal(unknown.status, 422, show(unknown));
    assert.deepEqual(unknown.json.error.fields, { 'custom.shoe_size': 'unknown field' });
    assert.equal(count('Refused'), 0);
});

test('PATCH merges checked values; a refused PATCH leaves the record as it was', async () => {
    const id = (await admin.post('/api/v1/leads', { first_name: 'Before', last_name: 'Patched',
        custom: { viewing_day: 'sunday' } })).json.data.id;
    const bad = await admin.patch(`/api/v1/leads/${id}`, { first_name: 'Changed',
        custom: { viewing_day: 'monday' } });
    assert.equal(bad.status, 422, show(bad));
    assert.deepEqual(bad.json.error.fields, { 'custom.viewing_day': 'is not one of the options' });
    let got = (await admin.get(`/api/v1/leads/${id}`)).json.data;
    assert.equal(got.first_name, 'Before');
    assert.deepEqual(got.custom, { viewing_day: 'sunday', label: 'Patched file' });
    const ok = await admin.patch(`/api/v1/leads/${id}`, { last_name: 'Renamed', custom: { mortgage: 200 } });
    assert.equal(ok.status, 200, show(ok));
    assert.deepEqual(ok.json.data.custom, { viewing_day: 'sunday', mortgage: 200, label: 'Renamed file' });
    got = (await admin.get(`/api/v1/leads/${id}`)).json.data;
    assert.deepEqual(got.custom, ok.json.data.custom);
});

test('contacts check their own definitions (a multiselect)', async () => {
    const c = await admin.post('/api/v1/contacts', { last_name: 'Owner', custom: { pets: ['cat', 'dog'] } });
    assert.equal(c.status, 201, show(c));
    assert.deepEqual(c.json.data.custom, { pets: ['cat', 'dog'] });
    const bad = await admin.post('/api/v1/contacts', { last_name: 'Refused', custom: { pets: ['fish'] } });
    assert.equal(bad.status, 422, show(bad));
    assert.deepEqual(bad.json.error.fields, { 'custom.pets': 'is not one of the options' });
    const leadKey = await admin.post('/api/v1/contacts', { last_name: 'Refused', custom: { mortgage: 1 } });
    assert.deepEqual(leadKey.json.error.fields, { 'custom.mortgage': 'unknown field' });
    assert.equal(count('Refused'), 0);
});
