// CSV export (filters, custom fields, formula cells defused), the GDPR export
// as JSON and vCard 4.0, erasure and the consent log.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { show } from '../../../tests/api/_http.mjs';
import { ownTags, world } from './_contacts.mjs';

let w;
before(async () => {
    w = await world('gdpr');
});

/** RFC 4180 rows of a CSV text. */
function parseCsv(text) {
    const rows = [];
    let row = [], cell = '', q = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (q) {
            if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') { q = false; } else { cell += c; }
        } else if (c === '"') {
            q = true;
        } else if (c === ',') {
            row.push(cell); cell = '';
        } else if (c === '\r' && text[i + 1] === '\n') {
            row.push(cell); rows.push(row); row = []; cell = ''; i++;
        } else {
            cell += c;
        }
    }
    return rows;
}

test('the CSV export follows the filters, carries custom fields and defuses formulas', async () => {
    const admin = w.as('admin');
    await admin.post('/api/v1/leads', { first_name: '=CMD()', last_name: '+SUM(A1)', company: '@evil', source: 'print',
        custom: { note: '-2+3', pets: 'cat' }, tags: ['x'] });
    await admin.post('/api/v1/leads', { first_name: 'Plain', last_name: 'Text, "quoted"', source: 'print', custom: { note: 'two\nlines' } });
    await admin.post('/api/v1/leads', { first_name: 'Other', last_name: 'Source', source: 'radio_tv' });
    const r = await admin.get('/api/v1/leads.csv?source=print&sort=id');
    assert.equal(r.status, 200, show(r));
    assert.match(r.headers['content-type'], /^text\/csv; charset=utf-8/);
    assert.match(r.headers['content-disposition'], /attachment; filename="leads.csv"/);
    const rows = parseCsv(r.text);
    const head = rows[0];
    assert.ok(head.includes('first_name') && head.includes('custom.note') && head.includes('custom.pets'));
    assert.equal(rows.length, 3, 'header and the two print leads');
    const get = (row, name) => row[head.indexOf(name)];
    assert.equal(get(rows[1], 'first_name'), "'=CMD()");
    assert.equal(get(rows[1], 'last_name'), "'+SUM(A1)");
    assert.equal(get(rows[1], 'company'), "'@evil");
    assert.equal(get(rows[1], 'custom.note'), "'-2+3");
    assert.equal(get(rows[1], 'custom.pets'), 'cat');
    // Background scoring may add its temperature tag (Hot/Warm/Cold Lead) at any moment.
    assert.deepEqual(ownTags(get(rows[1], 'tags').split(',')), ['x']);
    assert.equal(get(rows[2], 'last_name'), 'Text, "quoted"', 'quotes and commas survive');
    assert.equal(get(rows[2], 'custom.note'), 'two\nlines', 'and newlines');
    assert.equal(get(rows[2], 'custom.pets'), '');
    assert.ok(!/^=/m.test(r.text.split('\r\n').map((l) => l.replace(/^"/, '')).join('\n')), 'no cell starts with =');
    const bad = await admin.get('/api/v1/leads.csv?status=maybe');
    assert.equal(bad.status, 422);
    const rel = await admin.get('/api/v1/relations.csv');
    assert.equal(rel.status, 200);
    assert.equal(parseCsv(rel.text)[0][1], 'name');
});

test('GDPR export holds the record, its activities, consents and history; vCard 4.0 the card', async () => {
    const admin = w.as('admin');
    const c = (await admin.post('/api/v1/contacts', { first_name: 'Jan', last_name: 'de Vries; Jr', email: 'jan@vries.example',
        phone: '+31 20 123 4567', company: 'Vries, BV', birthday: '1975-06-01', language: 'nl',
        addresses: [{ street: 'Dam 1', city: 'Amsterdam', country: 'NL', latitude: 52.373, longitude: 4.893 }],
        consents: { marketing: { granted: true, source: 'signup form' } } })).json.data;
    await admin.post('/api/v1/activities', { entity: 'contact', entity_id: c.id, kind: 'note', subject: 'Likes canals' });
    const withdraw = await admin.post(`/api/v1/contacts/${c.id}/consents`, { purpose: 'marketing', granted: false, source: 'phone call' });
    assert.equal(withdraw.status, 200, show(withdraw));
    assert.deepEqual(withdraw.json.data.map((x) => [x.purpose, x.granted, x.source]),
        [['marketing', false, 'phone call'], ['marketing', true, 'signup form']], 'the log keeps both, newest first');
    assert.equal((await admin.post(`/api/v1/contacts/${c.id}/consents`, { purpose: 'x', granted: 'yes' })).status, 422);

    const g = await admin.get(`/api/v1/contacts/${c.id}/gdpr`);
    assert.equal(g.status, 200, show(g));
    const d = g.json.data;
    assert.equal(d.record.email, 'jan@vries.example');
    assert.equal(d.record.consents.marketing.granted, false);
    assert.ok(d.activities.some((a) => a.subject === 'Likes canals'));
    assert.equal(d.consent_log.length, 2);
    assert.ok(d.history.some((h) => h.action === 'create'));
    assert.equal((await w.as('agent').get(`/api/v1/contacts/${c.id}/gdpr`)).status, 403, 'managers and admins only');

    const v = await admin.get(`/api/v1/contacts/${c.id}/vcard`);
    assert.equal(v.status, 200);
    assert.match(v.headers['content-type'], /^text\/vcard/);
    const lines = v.text.split('\r\n');
    assert.equal(lines[0], 'BEGIN:VCARD');
    assert.equal(lines[1], 'VERSION:4.0');
    assert.ok(lines.includes('FN:Jan de Vries\\; Jr'));
    assert.ok(lines.includes('N:de Vries\\; Jr;Jan;;;'));
    assert.ok(lines.includes('ORG:Vries\\, BV'));
    assert.ok(lines.includes('EMAIL;PREF=1:jan@vries.example'));
    assert.ok(lines.includes('TEL;VALUE=uri;PREF=1:tel:+31 20 123 4567'));
    assert.ok(lines.includes('BDAY:19750601'));
    assert.ok(lines.some((l) => l.startsWith('ADR;GEO="geo:52.373000,4.893000":;;Dam 1;Amsterdam;;;NL')));
    assert.equal(lines.at(-2), 'END:VCARD');
    assert.ok(lines.every((l) => Buffer.byteLength(l) <= 75), 'lines are folded at 75 octets');
});

test('erasure anonymises the person, keeps the aggregates and is recorded', async () => {
    const admin = w.as('admin');
    const c = (await admin.post('/api/v1/leads', { first_name: 'Erase', last_name: 'Me', email: 'erase@me.example',
        phone: '+34 600 999 888', status: 'qualified', source: 'website', notes: 'secret', custom: { x: 'y' },
        preferences: { budget_max: 100000 }, phones: [{ label: 'home', value: '+34 600 999 777' }] })).json.data;
    await admin.post('/api/v1/activities', { entity: 'lead', entity_id: c.id, kind: 'call', subject: 'private talk', body: 'details' });
    const r = await admin.post(`/api/v1/leads/${c.id}/erase`, {});
    assert.equal(r.status, 200, show(r));
    const e = r.json.data;
    assert.equal(e.first_name, '');
    assert.equal(e.last_name, 'Erased');
    assert.equal(e.email, null);
    assert.equal(e.phone, null);
    assert.equal(e.notes, null);
    assert.deepEqual(e.custom, {});
    assert.deepEqual(e.phones, []);
    assert.ok(e.erased_at);
    assert.equal(e.status, 'qualified', 'aggregates stay');
    assert.equal(e.source, 'website');
    assert.equal(e.preferences.budget_max, 100000);
    const tl = (await admin.get(`/api/v1/leads/${c.id}/timeline`)).json.data;
    assert.ok(!JSON.stringify(tl).includes('private talk') && !JSON.stringify(tl).includes('erase@me.example'),
        'no personal text is left in the timeline');
    assert.ok(tl.some((x) => x.what === 'gdpr_erase'));
    assert.ok(tl.some((x) => x.what === 'system' && /erased/.test(x.subject)));
    assert.equal((await admin.get('/api/v1/leads?q=erase%40me.example')).json.total, 0);
    assert.equal((await w.as('agent').post(`/api/v1/leads/${c.id}/erase`, {})).status, 403);
});
