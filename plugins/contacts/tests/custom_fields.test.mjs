// Custom fields beyond the JSON API: the lead and contact forms (an input per
// type, labels from field{...}, the refusal named beside its field), the
// record page, the CSV import (custom.KEY columns typed and checked, a bad
// row reported with its row and field, the others imported), list filters
// on custom values, and a raising check logged for Settings > Script errors.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, api, newTenant, newUser, request, session, sessionCsrf, show, waitFor }
    from '../../../tests/api/_http.mjs';
import { q } from '../../../tests/api/_lua.mjs';

const SCRIPT = `
field{kind = "lead", key = "mortgage", type = "money", label = {en = "Mortgage approved", es = "Hipoteca aprobada"},
  validate = function(v, rec) return v >= 0 or "cannot be negative" end}
field{kind = "lead", key = "viewing_day", type = "select", label = "Viewing day", options = {"saturday", "sunday"}}
field{kind = "lead", key = "move_date", type = "date", label = "Move date"}
field{kind = "lead", key = "has_pets", type = "boolean", label = "Has pets"}
field{kind = "lead", key = "rooms", type = "multiselect", label = "Rooms wanted", options = {"study", "garage"}}
field{kind = "lead", key = "nickname", type = "text", label = "Nickname"}
field{kind = "lead", key = "file_label", type = "text", label = "File label",
  compute = function(rec) return (rec.last_name or "") .. " file" end}
field{kind = "contact", key = "vip", type = "boolean", label = "VIP"}
field{kind = "relation", key = "website_rank", type = "url", label = "Ranking page"}
field{kind = "contact", key = "boom", type = "number", label = "Boom",
  validate = function(v, rec) error("the checker broke") end}
`;

let t, token, jar, csrf, adminJar, adminCsrf;
before(async () => {
    t = newTenant('cfui');
    token = await adminToken(t);
    const put = await api('PUT', '/api/v1/scripts/fields.ui', { token, json: { code: SCRIPT } });
    assert.ok([200, 201].includes(put.status), show(put));
    const agent = newUser(t, 'agent', { name: 'Custom Agent' });
    jar = await session(t, agent);
    csrf = await sessionCsrf(t, jar);
    adminJar = await session(t, t.admin);
    adminCsrf = await sessionCsrf(t, adminJar);
});
// The admin's pages: the records and imports made with the admin's token are theirs.
const adminGet = (path) => request('GET', path, { host: t.host, jar: adminJar });

const post = (path, form) => request('POST', path, { host: t.host, jar, form });
const get = (path, headers) => request('GET', path, { host: t.host, jar, headers });
const call = (method, path, json) => api(method, path, { token, json });
const tid = () => Number(t.id);

describe('forms and the record page', () => {
    test('the lead form has an input per field type, labelled from the definition', async () => {
        const page = await get('/leads/new');
        assert.equal(page.status, 200, show(page));
        const h = page.text;
        assert.match(h, /<label for="f-custom-mortgage">Mortgage approved<\/label>\s*<input id="f-custom-mortgage" name="custom.mortgage" type="number"/);
        assert.match(h, /<select id="f-custom-viewing_day" name="custom.viewing_day"><option value="">—<\/option><option value="saturday">saturday<\/option><option value="sunday">sunday<\/option><\/select>/);
        assert.match(h, /<input id="f-custom-move_date" name="custom.move_date" type="date"/);
        assert.match(h, /<input id="f-custom-has_pets" name="custom.has_pets" type="checkbox" value="true" data-type="bool"> Has pets/);
        assert.match(h, /<legend>Rooms wanted<\/legend>\s*<label class="check" for="custom-rooms-0"><input id="custom-rooms-0" name="custom.rooms" type="checkbox" value="study" data-type="list">/);
        assert.match(h, /<input id="f-custom-nickname" name="custom.nickname" type="text"/);
        assert.match(h, /File label<\/span> <output id="f-custom-file_label">—<\/output>/, 'a computed field is shown, not typed');
        assert.ok(!/name="custom.vip"/.test(h), 'the contact field is not on the lead form');
        const es = await get('/leads/new', { 'accept-language': 'es-ES,es;q=0.9' });
        assert.match(es.text, />Hipoteca aprobada<\/label>/, 'the label in the reader\'s language');
    });

    test('a form save stores typed values; the record page and the edit form show them', async () => {
        const r = await request('POST', '/leads', { host: t.host, jar, body: new URLSearchParams([
            ['_csrf', csrf], ['first_name', 'Form'], ['last_name', 'Typed'], ['custom.mortgage', '125000.5'],
            ['custom.viewing_day', 'sunday'], ['custom.move_date', '2027-03-01'], ['custom.has_pets', 'true'],
            ['custom.rooms', 'study'], ['custom.rooms', 'garage'], ['custom.nickname', 'Formy']]).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        assert.equal(r.status, 303, show(r));
        const id = r.headers.location.split('/').pop();
        const rec = await call('GET', `/api/v1/leads/${id}`);
        assert.deepEqual(rec.json.data.custom, { mortgage: 125000.5, viewing_day: 'sunday', move_date: '2027-03-01',
            has_pets: true, rooms: ['study', 'garage'], nickname: 'Formy', file_label: 'Typed file' });
        const showPage = await get(r.headers.location);
        assert.match(showPage.text, /<dt>Mortgage approved<\/dt><dd>125000.5<\/dd>/);
        assert.match(showPage.text, /<dt>Has pets<\/dt><dd>Yes<\/dd>/);
        assert.match(showPage.text, /<dt>Rooms wanted<\/dt><dd>study, garage<\/dd>/);
        assert.match(showPage.text, /<dt>File label<\/dt><dd>Typed file<\/dd>/);
        const edit = await get(`/leads/${id}/edit`);
        assert.match(edit.text, /name="custom.mortgage" type="number" inputmode="decimal" step="any" value="125000.5" data-type="number"/);
        assert.match(edit.text, /<option value="sunday" selected>/);
        assert.match(edit.text, /name="custom.has_pets" type="checkbox" value="true" checked data-type="bool">/);
        assert.match(edit.text, /value="garage" checked data-type="list">/);
        // Unticking and emptying on edit clears them.
        const e = await post(`/leads/${id}`, { _csrf: csrf, first_name: 'Form', last_name: 'Typed',
            status: 'prospect', stage: 'neutral', 'custom.mortgage': '', 'custom.viewing_day': '' });
        assert.equal(e.status, 303, show(e));
        const after = (await call('GET', `/api/v1/leads/${id}`)).json.data.custom;
        assert.deepEqual(after, { has_pets: false, file_label: 'Typed file' });
    });

    test('a refused value comes back beside its field, with what was typed, and nothing is saved', async () => {
        const r = await post('/leads', { _csrf: csrf, first_name: 'Refused', last_name: 'Formcheck',
            'custom.mortgage': '-5', 'custom.move_date': 'soon', 'custom.nickname': 'Kept' });
        assert.equal(r.status, 422, show(r));
        assert.match(r.text, /name="custom.mortgage" type="number" inputmode="decimal" step="any" value="-5" data-type="number" aria-invalid="true" aria-describedby="f-custom-mortgage-error">/);
        assert.match(r.text, /<p class="error" id="f-custom-mortgage-error" data-for="custom.mortgage">cannot be negative<\/p>/);
        assert.match(r.text, /<p class="error" id="f-custom-move_date-error" data-for="custom.move_date">must be a date YYYY-MM-DD<\/p>/);
        assert.match(r.text, /name="custom.nickname" type="text" inputmode="text" step="any" value="Kept"/);
        assert.equal(Number(q(`SELECT COUNT(*) FROM contacts WHERE tenant_id = ${tid()} AND last_name = 'Formcheck'`)[0][0]), 0);
    });

    test('the relation form has the relation fields (a URL), checked on save', async () => {
        const page = await get('/relations/new');
        assert.match(page.text, /<input id="f-custom-website_rank" name="custom.website_rank" type="url" inputmode="url"/);
        const bad = await post('/relations', { _csrf: csrf, name: 'Rank SL', type: 'agency', 'custom.website_rank': 'ranks.example' });
        assert.equal(bad.status, 422, show(bad));
        assert.match(bad.text, /data-for="custom.website_rank">must be an http or https URL<\/p>/);
        const ok = await post('/relations', { _csrf: csrf, name: 'Rank SL', type: 'agency', 'custom.website_rank': 'https://ranks.example/r' });
        assert.equal(ok.status, 303, show(ok));
        const rec = await call('GET', `/api/v1/relations/${ok.headers.location.split('/').pop()}`);
        assert.deepEqual(rec.json.data.custom, { website_rank: 'https://ranks.example/r' });
    });

    test('the contact form has the contact fields (a boolean)', async () => {
        const page = await get('/contacts/new');
        assert.match(page.text, /name="custom.vip" type="checkbox"/);
        assert.ok(!/name="custom.mortgage"/.test(page.text));
        const r = await post('/contacts', { _csrf: csrf, first_name: 'Very', last_name: 'Important', 'custom.vip': 'true' });
        assert.equal(r.status, 303, show(r));
        const rec = await call('GET', `/api/v1/contacts/${r.headers.location.split('/').pop()}`);
        assert.equal(rec.json.data.custom.vip, true);
    });
});

// The CSV import with custom.KEY columns.
async function upload(kind, csv) {
    const fd = new FormData();
    fd.append('kind', kind);
    fd.append('file', new Blob([csv], { type: 'text/csv' }), 'custom.csv');
    const res = await fetch(`${process.env.TS_BASE}/api/v1/imports`, { method: 'POST',
        headers: { Authorization: `Bearer ${token}` }, body: fd });
    const json = await res.json();
    assert.equal(res.status, 201, JSON.stringify(json));
    return json.data;
}

describe('CSV import', () => {
    const csv = 'first_name,last_name,custom.mortgage,custom.viewing_day,custom.has_pets,custom.move_date,custom.rooms\n'
        + 'Ana,Imported,"250000,5",Saturday,yes,01/06/2027,"study, Garage"\n'
        + 'Bad,Imported,-3,sunday,no,,\n'
        + 'Odd,Imported,12,monday,,,\n'
        + 'Eve,Imported,,,,2027-02-30,\n'
        + 'Max,Imported,7,,si,,\n';

    test('custom columns are mapped, typed and checked: the preview names the row and field', async () => {
        const imp = await upload('leads', csv);
        assert.equal(imp.mapping['custom.mortgage'], 'custom.mortgage');
        const pv = await call('POST', `/api/v1/imports/${imp.id}/preview`, {});
        assert.equal(pv.status, 200, show(pv));
        const d = pv.json.data;
        assert.equal(d.rows, 5);
        assert.equal(d.valid, 2);
        assert.equal(d.invalid, 3);
        const errs = d.errors.map((e) => [e.row, e.column, e.field, e.message]);
        assert.deepEqual(errs, [
            [2, 'custom.mortgage', 'custom.mortgage', 'custom.mortgage: cannot be negative'],
            [3, 'custom.viewing_day', 'custom.viewing_day', 'custom.viewing_day: is not one of the options'],
            [4, 'custom.move_date', 'custom.move_date', 'custom.move_date: must be a date YYYY-MM-DD'],
        ]);
    });

    test('the run imports the good rows with typed and computed values and reports the bad ones', async () => {
        const imp = await upload('leads', csv);
        const run = await call('POST', `/api/v1/imports/${imp.id}/run`, {});
        assert.equal(run.status, 202, show(run));
        const done = await waitFor(async () => {
            const r = await call('GET', `/api/v1/imports/${imp.id}`);
            return ['done', 'failed'].includes(r.json.data.status) ? r.json.data : null;
        }, { timeout: 60000, what: 'the import to finish' });
        assert.equal(done.status, 'done', JSON.stringify(done));
        assert.equal(done.report.created, 2);
        assert.equal(done.report.invalid, 3);
        const rows = q(`SELECT first_name, custom FROM contacts WHERE tenant_id = ${tid()} AND last_name = 'Imported'`
            + ' ORDER BY first_name');
        assert.deepEqual(rows.map((r) => r[0]), ['Ana', 'Max']);
        assert.deepEqual(JSON.parse(rows[0][1]), { mortgage: 250000.5, viewing_day: 'saturday', has_pets: true,
            move_date: '2027-06-01', rooms: ['study', 'garage'], file_label: 'Imported file' });
        assert.deepEqual(JSON.parse(rows[1][1]), { mortgage: 7, has_pets: true, file_label: 'Imported file' });
        const report = await fetch(`${process.env.TS_BASE}/api/v1/imports/${imp.id}/report`,
            { headers: { Authorization: `Bearer ${token}` } });
        const text = await report.text();
        assert.match(text, /^"2","3","invalid","","custom\.mortgage","custom\.mortgage: custom\.mortgage: cannot be negative"\r?$/m);
        assert.match(text, /^"3","4","invalid","","custom\.viewing_day",".*is not one of the options"\r?$/m);
        assert.match(text, /^"4","5","invalid","","custom\.move_date",".*must be a date YYYY-MM-DD"\r?$/m);
    });

    test('the mapping offers the tenant\'s custom fields, labelled, in the API and the wizard', async () => {
        const f = await call('GET', '/api/v1/imports/fields?kind=leads');
        const mortgage = f.json.data.find((x) => x.name === 'custom.mortgage');
        assert.deepEqual(mortgage, { name: 'custom.mortgage', label: 'Mortgage approved', type: 'money', custom: true });
        assert.deepEqual(f.json.data.find((x) => x.name === 'custom.viewing_day').values, ['saturday', 'sunday']);
        assert.ok(!f.json.data.some((x) => x.name === 'custom.vip'), 'a contact field is not offered for leads');
        const imp = await upload('leads', 'first_name,Hipoteca\nAna,100\n');
        const page = await adminGet(`/imports/${imp.id}`);
        assert.equal(page.status, 200, show(page));
        assert.match(page.text, /<option value="custom.mortgage">Mortgage approved \(custom.mortgage\)<\/option>/);
        assert.ok(!page.text.includes('value="custom.hipoteca"'), 'no free-form custom field once the tenant defines them');
    });

    test('a column mapped to a key the tenant does not define is refused in every row', async () => {
        const imp = await upload('leads', 'first_name,last_name,custom.shoe_size\nZed,Unknownkey,42\n');
        const pv = await call('POST', `/api/v1/imports/${imp.id}/preview`, {});
        assert.equal(pv.json.data.invalid, 1);
        assert.equal(pv.json.data.errors[0].field, 'custom.shoe_size');
        assert.match(pv.json.data.errors[0].message, /custom\.shoe_size: unknown field/);
    });
});

describe('list filters', () => {
    let ids;
    before(async () => {
        ids = {};
        for (const [name, custom] of [['Low', { mortgage: 100, viewing_day: 'saturday', rooms: ['study'] }],
            ['Mid', { mortgage: 500, viewing_day: 'sunday', has_pets: true, move_date: '2027-01-10' }],
            ['High', { mortgage: 900, viewing_day: 'sunday', rooms: ['study', 'garage'], move_date: '2027-05-01' }]]) {
            const r = await call('POST', '/api/v1/leads', { first_name: name, last_name: 'Filtered', custom });
            assert.equal(r.status, 201, show(r));
            ids[name] = r.json.data.id;
        }
    });
    const names = async (qs) => {
        const r = await call('GET', `/api/v1/leads?q=Filtered&${qs}`);
        assert.equal(r.status, 200, show(r));
        return r.json.data.map((x) => x.first_name).sort();
    };

    test('custom.KEY=VALUE selects on the stored value, by type', async () => {
        assert.deepEqual(await names('custom.viewing_day=sunday'), ['High', 'Mid']);
        assert.deepEqual(await names('custom.mortgage=500'), ['Mid']);
        assert.deepEqual(await names('custom.has_pets=true'), ['Mid']);
        assert.deepEqual(await names('custom.rooms=garage'), ['High']);
        assert.deepEqual(await names('custom.rooms=study'), ['High', 'Low']);
        assert.deepEqual(await names('custom.viewing_day=sunday&custom.mortgage_min=600'), ['High']);
    });

    test('_min and _max bound numbers and dates', async () => {
        assert.deepEqual(await names('custom.mortgage_min=200&custom.mortgage_max=900'), ['High', 'Mid']);
        assert.deepEqual(await names('custom.mortgage_max=99.5'), []);
        assert.deepEqual(await names('custom.move_date_min=2027-02-01'), ['High']);
    });

    test('an unknown key, a range on text or a bad value answers 422 naming the filter', async () => {
        for (const [qs, field, msg] of [['custom.shoe_size=42', 'custom.shoe_size', /unknown field/],
            ['custom.nickname_min=a', 'custom.nickname_min', /unknown field/],
            ['custom.mortgage=lots', 'custom.mortgage', /a number/],
            ['custom.has_pets=maybe', 'custom.has_pets', /true or false/],
            ["custom.x')%20OR%201=1--=1", "custom.x')", /unknown field/]]) {
            const r = await call('GET', `/api/v1/leads?${qs}`);
            assert.equal(r.status, 422, `${qs}: ${show(r)}`);
            assert.ok(Object.keys(r.json.error.fields).some((k) => k.startsWith(field)), `${qs}: ${show(r)}`);
            assert.match(Object.values(r.json.error.fields)[0], msg);
        }
        const other = await call('GET', '/api/v1/contacts?custom.mortgage=1');
        assert.equal(other.status, 422, 'a lead field is unknown on contacts');
    });

    test('saved views keep custom filters; an unknown one is refused naming it', async () => {
        const v = await call('POST', '/api/v1/views', { list: 'leads', name: 'Sunday viewers',
            filters: { q: 'Filtered', 'custom.viewing_day': 'sunday', 'custom.mortgage_min': '600' } });
        assert.equal(v.status, 201, show(v));
        const r = await call('GET', `/api/v1/leads?view=${v.json.data.id}`);
        assert.deepEqual(r.json.data.map((x) => x.first_name), ['High']);
        const bad = await call('POST', '/api/v1/views', { list: 'leads', name: 'Bad', filters: { 'custom.shoe_size': '4' } });
        assert.equal(bad.status, 422, show(bad));
        assert.equal(bad.json.error.fields['filters.custom.shoe_size'], 'unknown field');
    });

    test('the list page filters on custom values and keeps them in its links and saved views', async () => {
        const page = await adminGet('/leads?q=Filtered&custom.viewing_day=sunday');
        assert.equal(page.status, 200, show(page));
        assert.ok(page.text.includes('>Mid Filtered<') && page.text.includes('>High Filtered<') && !page.text.includes('>Low Filtered<'),
            'only the matching rows');
        assert.match(page.text, /href="\/api\/v1\/leads.csv\?custom.viewing_day=sunday&amp;q=Filtered"/);
        assert.match(page.text, /<input type="hidden" name="f_custom" value="custom.viewing_day=sunday">/);
        const saved = await request('POST', '/leads/views', { host: t.host, jar: adminJar, form: { _csrf: adminCsrf,
            name: 'Sundays from the page', f_q: 'Filtered', f_custom: 'custom.viewing_day=sunday' } });
        assert.equal(saved.status, 303, show(saved));
        const viewId = /view=(\d+)/.exec(saved.headers.location)[1];
        const r = await call('GET', `/api/v1/leads?view=${viewId}`);
        assert.deepEqual(r.json.data.map((x) => x.first_name).sort(), ['High', 'Mid']);
        assert.match(page.text, /<label for="f-custom-viewing_day">Viewing day<\/label>\s*<select id="f-custom-viewing_day" name="custom.viewing_day"><option value="">Any<\/option><option value="saturday">saturday<\/option><option value="sunday" selected>sunday<\/option><\/select>/);
        assert.match(page.text, /<select id="f-custom-has_pets" name="custom.has_pets"><option value="">Any<\/option><option value="true">Yes<\/option><option value="false">No<\/option><\/select>/);
        // The filter form sends every drop-down: an empty one filters nothing.
        const form = await adminGet('/leads?q=Filtered&custom.viewing_day=&custom.has_pets=true');
        assert.ok(form.text.includes('>Mid Filtered<') && !form.text.includes('>High Filtered<'));
        const bad = await adminGet('/leads?custom.shoe_size=4');
        assert.match(bad.text, /custom.shoe_size: unknown field/);
    });

    test('the CSV export takes the same filters', async () => {
        const res = await fetch(`${process.env.TS_BASE}/api/v1/leads.csv?q=Filtered&custom.viewing_day=saturday`,
            { headers: { Authorization: `Bearer ${token}` } });
        const text = await res.text();
        assert.equal(res.status, 200, text);
        assert.equal(text.trim().split('\n').length, 2, text);
        assert.match(text, /Low/);
        // One column per defined field, in the script's order, then any other key stored.
        const head = text.split('\n')[0].trim().split(',').map((c) => c.replace(/^"|"$/g, '')).filter((c) => c.startsWith('custom.'));
        assert.deepEqual(head, ['custom.mortgage', 'custom.viewing_day', 'custom.move_date', 'custom.has_pets',
            'custom.rooms', 'custom.nickname', 'custom.file_label']);
    });
});

test('a check that raises refuses the value and is logged for Settings > Script errors', async () => {
    const r = await call('POST', '/api/v1/contacts', { last_name: 'Boomed', custom: { boom: 1 } });
    assert.equal(r.status, 422, show(r));
    assert.match(r.json.error.fields['custom.boom'], /the checker broke/);
    const runs = await call('GET', '/api/v1/script-runs?outcome=error');
    const run = runs.json.data.find((x) => x.script === 'fields.ui');
    assert.ok(run, show(runs));
    assert.equal(run.event, 'field contact.boom validate');
    assert.match(run.error, /fields\.ui:\d+: .*the checker broke/);
    const page = await adminGet('/settings/script-errors');
    assert.match(page.text, /field contact\.boom validate/);
    assert.match(page.text, /the checker broke/);
});
