// The CSV import against the running stack: detection (delimiter, encoding,
// header, grouped column names), the preview's per-row errors, the job with
// its progress, duplicates, the report, saved mappings, bad input and access.
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readdirSync, readlinkSync } from 'node:fs';
import { BASE, childrenOf, cli, crashesSince, dbConf, logMark, masterPid, newTenant as stackTenant, newToken,
  sql as stackSql, waitFor } from '../../../tests/api/_stack.mjs';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** One value of a query on the instance's main database. */
function sql(query) {
  return stackSql(dbConf().socket, query, { database: dbConf().database }).map((r) => r.join('\t')).join('\n');
}

function newTenant(label) {
  const t = stackTenant(`imp${label}`);
  return { ...t, token: newToken(t, t.admin.email) };
}

function userToken(t, role) {
  const email = `${role}-${randomBytes(3).toString('hex')}@${t.slug}.test`;
  cli(['user', 'create', '--tenant', t.slug, '--email', email, '--role', role, '--password',
    randomBytes(12).toString('hex')]);
  return newToken(t, email);
}

async function call(token, method, p, body) {
  const init = { method, headers: { Authorization: `Bearer ${token}` } };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  let res, text;
  for (let attempt = 1; ; attempt++) {
    res = await fetch(BASE + p, init);
    text = await res.text();
    // nginx's own 502: it reused a kept-alive FastCGI connection the worker had
    // closed, so the request never reached the application (see tests/api/_http.mjs).
    if (res.status !== 502 || !/<center>nginx<\/center>/.test(text) || attempt === 4) {
      break;
    }
    await new Promise((r) => setTimeout(r, 50 * attempt));
  }
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text, headers: res.headers };
}

function upload(token, kind, content, name = 'file.csv') {
  const fd = new FormData();
  if (kind !== null) {
    fd.append('kind', kind);
  }
  fd.append('file', new Blob([content], { type: 'text/csv' }), name);
  return call(token, 'POST', '/api/v1/imports', fd);
}

async function waitDone(token, id, timeout = 60000) {
  const end = Date.now() + timeout;
  for (;;) {
    const r = await call(token, 'GET', `/api/v1/imports/${id}`);
    assert.equal(r.status, 200, r.text);
    if (['done', 'failed'].includes(r.json.data.status)) {
      return r.json.data;
    }
    if (Date.now() > end) {
      throw new Error(`import ${id} still ${r.json.data.status}: ${JSON.stringify(r.json.data.progress)}`);
    }
    await new Promise((res) => setTimeout(res, 200));
  }
}

const fixture = (f) => readFileSync(path.join(FIX, f));
const count = (t, where) => Number(sql(`SELECT COUNT(*) FROM contacts WHERE tenant_id = ${t.id} AND ${where}`));

let t;
before(() => {
  t = newTenant('a');
});

describe('detection and mapping', () => {
  test('semicolons, a BOM, CRLF and grouped column names are detected and mapped', async () => {
    const r = await upload(t.token, 'leads', fixture('leads_semicolon_bom.csv'), 'leads.csv');
    assert.equal(r.status, 201, r.text);
    const d = r.json.data;
    assert.equal(d.delimiter, ';');
    assert.equal(d.encoding, 'utf-8-bom');
    assert.equal(d.has_header, true);
    assert.equal(d.columns[0], 'First name', 'the BOM is not part of the first column');
    assert.deepEqual(d.mapping, {
      'First name': 'first_name', 'Last name': 'last_name', 'E-mail': 'email', Phone: 'phone',
      'lead.source': 'source', 'lead.status': 'status', 'address.city': 'address.city',
      'property_details.type': 'preferences.property_types',
      'property_details.price_min': 'preferences.budget_min',
      'property_details.price_max': 'preferences.budget_max',
      'property_address.city': 'preferences.towns', 'timing.urgency': 'urgency',
      'timing.move_in_date': 'move_in_date', Tags: 'tags',
    });
    assert.equal(d.samples.length, 2);
    assert.equal(d.samples[0][1], 'García López');
    const p = await call(t.token, 'POST', `/api/v1/imports/${d.id}/preview`, {});
    assert.equal(p.status, 200, p.text);
    assert.deepEqual(p.json.data, { rows: 2, valid: 2, invalid: 0, duplicates: 0, errors: [],
      errors_truncated: false, file_error: null });
  });

  test('Windows-1252 is converted to UTF-8 and Spanish headers are recognised', async () => {
    const r = await upload(t.token, 'contacts', fixture('contacts_cp1252.csv'));
    assert.equal(r.status, 201, r.text);
    const d = r.json.data;
    assert.equal(d.encoding, 'windows-1252');
    assert.equal(d.delimiter, ',');
    assert.equal(d.mapping.Nombre, 'first_name');
    assert.equal(d.mapping.Correo, 'email');
    assert.equal(d.mapping.Roles, 'roles');
    assert.deepEqual(d.samples[0].slice(0, 2), ['José', 'Muñoz']);
    assert.equal(d.samples[0][6], 'Pagó 80 €');
  });

  test('tabs for relations, with social links', async () => {
    const r = await upload(t.token, 'relations', fixture('relations_tab.csv'));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.data.delimiter, 'tab');
    assert.equal(r.json.data.mapping['Company name'], 'name');
    assert.equal(r.json.data.mapping['social.linkedin'], 'social.linkedin');
    const p = await call(t.token, 'POST', `/api/v1/imports/${r.json.data.id}/preview`, {});
    assert.equal(p.json.data.valid, 1, p.text);
  });

  test('a file without a header row gets numbered columns and no guessed mapping', async () => {
    const r = await upload(t.token, 'leads', 'Ana,ana@example.com,600111222\nLuis,luis@example.com,600111223\n');
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.data.has_header, false);
    assert.deepEqual(r.json.data.columns, ['column_1', 'column_2', 'column_3']);
    assert.equal(r.json.data.samples.length, 2, 'the first row is data');
    const p = await call(t.token, 'POST', `/api/v1/imports/${r.json.data.id}/preview`,
      { mapping: { column_1: 'first_name', column_2: 'email', column_3: 'phone' } });
    assert.equal(p.json.data.valid, 2, p.text);
  });

  test('the sample file of every kind maps itself back and previews valid', async () => {
    for (const kind of ['leads', 'owner_leads', 'contacts', 'relations']) {
      const s = await fetch(`${BASE}/api/v1/imports/sample.csv?kind=${kind}`,
        { headers: { Authorization: `Bearer ${t.token}` } });
      assert.equal(s.status, 200);
      assert.match(s.headers.get('content-type'), /^text\/csv/);
      const body = await s.text();
      const r = await upload(t.token, kind, body, `${kind}.csv`);
      assert.equal(r.status, 201, r.text);
      const unmapped = Object.entries(r.json.data.mapping).filter(([, v]) => v === null);
      assert.deepEqual(unmapped, [], `${kind}: every sample column maps`);
      const p = await call(t.token, 'POST', `/api/v1/imports/${r.json.data.id}/preview`, {});
      assert.equal(p.json.data.valid, 1, `${kind}: ${p.text}`);
    }
    const bad = await call(t.token, 'GET', '/api/v1/imports/sample.csv?kind=houses');
    assert.equal(bad.status, 422);
  });

  test('the field list names every target, custom fields go under custom.', async () => {
    const r = await call(t.token, 'GET', '/api/v1/imports/fields?kind=leads');
    assert.equal(r.status, 200);
    const names = r.json.data.map((f) => f.name);
    for (const n of ['first_name', 'source', 'preferences.budget_min', 'address.city', 'tags']) {
      assert.ok(names.includes(n), n);
    }
    const up = await upload(t.token, 'leads', 'name,Favourite colour\nAna,blue\n');
    const p = await call(t.token, 'POST', `/api/v1/imports/${up.json.data.id}/preview`,
      { mapping: { name: 'first_name', 'Favourite colour': 'custom.favourite_colour' } });
    assert.equal(p.json.data.valid, 1, p.text);
    const wrong = await call(t.token, 'POST', `/api/v1/imports/${up.json.data.id}/preview`,
      { mapping: { name: 'password_hash' } });
    assert.equal(wrong.status, 422);
    assert.match(wrong.json.error.fields.mapping, /unknown field/);
    const nocol = await call(t.token, 'POST', `/api/v1/imports/${up.json.data.id}/preview`,
      { mapping: { nope: 'first_name' } });
    assert.match(nocol.json.error.fields.mapping, /no such column/);
  });
});

describe('bad input', () => {
  test('ragged rows, quoted newlines, formulas and bad values: each row reported with line and column', async () => {
    const r = await upload(t.token, 'leads', fixture('bad_rows.csv'));
    assert.equal(r.status, 201, r.text);
    const p = await call(t.token, 'POST', `/api/v1/imports/${r.json.data.id}/preview`, {});
    assert.equal(p.status, 200, p.text);
    const d = p.json.data;
    assert.equal(d.rows, 5);
    assert.equal(d.valid, 2, 'the quoted-newline row and the formula row are fine');
    assert.equal(d.invalid, 3);
    const byRow = (n) => d.errors.filter((e) => e.row === n);
    assert.match(byRow(1)[0].message, /3 cells where the header has 5/);
    assert.equal(byRow(1)[0].line, 2);
    assert.equal(byRow(1)[0].column, null);
    assert.equal(byRow(4)[0].line, 6, 'line numbers count the quoted newline');
    assert.match(byRow(4)[0].message, /6 cells/);
    assert.deepEqual(byRow(5).map((e) => e.column), ['email', 'phone']);
    assert.equal(byRow(5)[0].line, 7);
  });

  test('invalid UTF-8 past the detection window is reported on its row', async () => {
    const rows = ['first_name,email'];
    for (let i = 0; i < 3000; i++) {
      rows.push(`Name${i} Ñ,u${i}@example.com`);
    }
    const good = Buffer.from(rows.join('\n') + '\n');
    assert.ok(good.length > 65536);
    const file = Buffer.concat([good, Buffer.from('Bad\xff\xfe,bad@example.com\n', 'latin1')]);
    const r = await upload(t.token, 'leads', file);
    assert.equal(r.json.data.encoding, 'utf-8');
    const p = await call(t.token, 'POST', `/api/v1/imports/${r.json.data.id}/preview`, {});
    assert.equal(p.json.data.rows, 3001);
    assert.equal(p.json.data.invalid, 1);
    assert.equal(p.json.data.errors[0].line, 3002);
    assert.equal(p.json.data.errors[0].column, 'first_name');
    assert.match(p.json.data.errors[0].message, /invalid UTF-8/);
  });

  test('an empty file, a blank file, a binary file and a missing kind are refused naming the field', async () => {
    let r = await upload(t.token, 'leads', '');
    assert.equal(r.status, 422);
    assert.match(r.json.error.fields.file, /empty/);
    r = await upload(t.token, 'leads', '\r\n \n');
    assert.match(r.json.error.fields.file, /empty/);
    r = await upload(t.token, 'leads', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 1, 2]), 'book.xlsx');
    assert.equal(r.status, 422);
    assert.match(r.json.error.fields.file, /not a CSV/);
    r = await upload(t.token, 'houses', 'a,b\n');
    assert.ok(r.json.error.fields.kind);
    r = await upload(t.token, null, 'a,b\n');
    assert.ok(r.json.error.fields.kind);
    const fd = new FormData();
    fd.append('kind', 'leads');
    r = await call(t.token, 'POST', '/api/v1/imports', fd);
    assert.match(r.json.error.fields.file, /required/);
  });

  test('an unclosed quote stops the preview with the line, not the server', async () => {
    const r = await upload(t.token, 'leads', `first_name,email\nAna,a@example.com\n"Open,${'x'.repeat(300000)}\n`);
    assert.equal(r.status, 201, r.text);
    const p = await call(t.token, 'POST', `/api/v1/imports/${r.json.data.id}/preview`, {});
    assert.equal(p.status, 200);
    assert.equal(p.json.data.rows, 1);
    assert.match(p.json.data.file_error, /^line 3: .*unclosed quote/);
  });

  test('a 50 MB file is stored and detected in one call', async () => {
    const row = 'Firstname,Lastname,anaisabel.garcia.lopez@example.com,+34 600 111 222,Jávea,villa\n';
    const n = Math.ceil((50 * 1024 * 1024) / Buffer.byteLength(row));
    const big = Buffer.from('first_name,last_name,email,phone,address.city,property_details.type\n' + row.repeat(n));
    assert.ok(big.length >= 50 * 1024 * 1024);
    const r = await upload(t.token, 'leads', big, 'big.csv');
    assert.equal(r.status, 201, r.text.slice(0, 300));
    assert.equal(r.json.data.size, big.length);
    assert.equal(r.json.data.mapping['property_details.type'], 'preferences.property_types');
  });

  test('preview and run refuse unknown options and duplicate rules', async () => {
    const r = await upload(t.token, 'leads', 'first_name\nAna\n');
    const id = r.json.data.id;
    let p = await call(t.token, 'POST', `/api/v1/imports/${id}/preview`, { duplicates: 'merge' });
    assert.equal(p.status, 422);
    assert.ok(p.json.error.fields.duplicates);
    p = await call(t.token, 'POST', `/api/v1/imports/${id}/run`, { tenant_id: 1 });
    assert.equal(p.status, 422);
    assert.ok(p.json.error.fields.tenant_id);
  });
});

describe('running the import', () => {
  // Phones unique to the tag too: duplicates are found by email or phone.
  const digits = (suffix) => String(parseInt(suffix, 16)).padStart(8, '0').slice(-8);
  const people = (suffix) => [
    'first_name,last_name,email,phone,lead.source,property_details.price_min,tags',
    `Ana,García,ana.${suffix}@example.com,+34 6${digits(suffix)}1,website,"250.000","a, b"`,
    `Luis,Pérez,luis.${suffix}@example.com,+34 6${digits(suffix)}2,referral,,`,
    `=CMD(),Formula,formula.${suffix}@example.com,,,,`,
    `Bad,Email,not-an-email,,,,`,
  ].join('\n') + '\n';

  test('a run creates the valid rows, reports the rest, and shows its progress', async () => {
    const tag = randomBytes(3).toString('hex');
    const up = await upload(t.token, 'leads', people(tag));
    const id = up.json.data.id;
    const run = await call(t.token, 'POST', `/api/v1/imports/${id}/run`, { duplicates: 'skip' });
    assert.equal(run.status, 202, run.text);
    assert.equal(run.json.data.status, 'queued');
    const d = await waitDone(t.token, id);
    assert.equal(d.status, 'done', JSON.stringify(d));
    assert.deepEqual(d.progress, { rows_total: 4, rows_done: 4, percent: 100 });
    assert.deepEqual({ ...d.report, url: undefined }, { created: 3, updated: 0, skipped: 0, invalid: 1, url: undefined });
    assert.equal(count(t, `email LIKE '%.${tag}@example.com'`), 3);
    assert.equal(sql(`SELECT first_name FROM contacts WHERE tenant_id = ${t.id} AND email = 'formula.${tag}@example.com'`),
      '=CMD()', 'a formula is stored as the text it is');
    const exp = await fetch(`${BASE}/api/v1/leads.csv?q=formula.${tag}`, { headers: { Authorization: `Bearer ${t.token}` } });
    assert.equal(exp.status, 200);
    assert.match(await exp.text(), /'=CMD\(\)/, 'exported back to CSV, the formula is escaped');
    const rep = await fetch(`${BASE}${d.report.url}`, { headers: { Authorization: `Bearer ${t.token}` } });
    assert.equal(rep.status, 200);
    assert.match(rep.headers.get('content-disposition'), /attachment/);
    const lines = (await rep.text()).trim().split('\r\n');
    assert.equal(lines[0], '"row","line","outcome","record_id","column","message"');
    assert.equal(lines.length, 2);
    assert.match(lines[1], /^"4","5","invalid","","email","email: 'not-an-email' is not a valid email address"$/);
  });

  test('re-running the same file with skip creates nothing new; update changes the existing records', async () => {
    const tag = randomBytes(3).toString('hex');
    const first = await upload(t.token, 'leads', people(tag));
    await call(t.token, 'POST', `/api/v1/imports/${first.json.data.id}/run`, {});
    assert.equal((await waitDone(t.token, first.json.data.id)).report.created, 3);
    const before = count(t, '1');

    const second = await upload(t.token, 'leads', people(tag));
    const prev = await call(t.token, 'POST', `/api/v1/imports/${second.json.data.id}/preview`, {});
    assert.equal(prev.json.data.duplicates, 3, 'the preview counts the duplicates');
    await call(t.token, 'POST', `/api/v1/imports/${second.json.data.id}/run`, { duplicates: 'skip' });
    const d = await waitDone(t.token, second.json.data.id);
    assert.equal(d.report.created, 0);
    assert.equal(d.report.skipped, 3);
    assert.equal(count(t, '1'), before, 'nothing new');

    // The same import again, now updating: the edited file's names win.
    const edited = people(tag).replace('Ana,García', 'Ana María,García');
    const third = await upload(t.token, 'leads', edited);
    await call(t.token, 'POST', `/api/v1/imports/${third.json.data.id}/run`, { duplicates: 'update' });
    const u = await waitDone(t.token, third.json.data.id);
    assert.equal(u.report.updated, 3, JSON.stringify(u));
    assert.equal(count(t, '1'), before);
    assert.equal(sql(`SELECT first_name FROM contacts WHERE tenant_id = ${t.id} AND email = 'ana.${tag}@example.com'`), 'Ana María');

    const fourth = await upload(t.token, 'leads', people(tag));
    await call(t.token, 'POST', `/api/v1/imports/${fourth.json.data.id}/run`, { duplicates: 'create' });
    assert.equal((await waitDone(t.token, fourth.json.data.id)).report.created, 3);
    assert.equal(count(t, '1'), before + 3);
  });

  test('a failure midway leaves the rows done committed, says where it stopped, and resumes there', async () => {
    const tag = randomBytes(3).toString('hex');
    const rows = ['first_name,email'];
    for (let i = 0; i < 700; i++) {
      rows.push(`P${i},p${i}.${tag}@example.com`);
    }
    // An unclosed quote after the first batch of 500 rows: the reader gives up there.
    const file = rows.join('\n') + `\n"Open,${'y'.repeat(300000)}\n`;
    const up = await upload(t.token, 'leads', file);
    await call(t.token, 'POST', `/api/v1/imports/${up.json.data.id}/run`, {});
    const d = await waitDone(t.token, up.json.data.id);
    assert.equal(d.status, 'failed');
    assert.match(d.error, /^line 702: .*unclosed quote/);
    assert.equal(d.report.created, 700, 'every whole row before the bad one stays committed');
    assert.equal(d.progress.rows_done, 700);
    assert.equal(count(t, `email LIKE '%.${tag}@example.com'`), 700);
    const again = await call(t.token, 'POST', `/api/v1/imports/${up.json.data.id}/run`, {});
    assert.equal(again.status, 202, 'a failed import can be resumed');
    const d2 = await waitDone(t.token, up.json.data.id);
    assert.equal(d2.status, 'failed', 'it stops at the same line again');
    assert.equal(d2.report.created, 700, 'the resumed run starts after the committed rows');
    assert.equal(count(t, `email LIKE '%.${tag}@example.com'`), 700, 'nothing twice');
  });

  test('kill -9 of the job runner mid-import: the batch in progress is rolled back and the job resumes', async () => {
    const tag = randomBytes(3).toString('hex');
    const n = 1500;
    const rows = ['first_name,last_name,email,tags,notes'];
    for (let i = 0; i < n; i++) {
      rows.push(`K${i},Killed,k${i}.${tag}@example.com,"x, y",A note long enough to make the file large`);
    }
    const up = await upload(t.token, 'leads', rows.join('\n') + '\n');
    const id = up.json.data.id;
    const file = sql(`SELECT file_path FROM contacts_imports WHERE tenant_id = ${t.id} AND id = ${id}`);
    assert.match(file, /\/storage\/imports\/[0-9a-f]{32}\.csv$/, 'a large upload is stored as a file');
    const mark = logMark();
    await call(t.token, 'POST', `/api/v1/imports/${id}/run`, {});
    await waitFor(async () => (await call(t.token, 'GET', `/api/v1/imports/${id}`)).json.data.progress.rows_done >= 500,
      { timeout: 60000, what: 'the first batch' });
    // The job runner is the child of the master that has the import's file open.
    const runner = await waitFor(() => childrenOf(masterPid()).find((pid) => {
      try {
        return readdirSync(`/proc/${pid}/fd`).some((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`) === file);
      } catch {
        return false;
      }
    }), { timeout: 20000, interval: 20, what: 'the job runner reading the file' });
    process.kill(runner, 'SIGKILL');
    const done = Number(sql(`SELECT rows_done FROM contacts_imports WHERE tenant_id = ${t.id} AND id = ${id}`));
    assert.ok(done < n, 'killed before the end');
    assert.equal(count(t, `email LIKE '%.${tag}@example.com'`) % 500, 0, 'only whole batches are committed');
    // A job left running by a dead runner is taken up again after 10 minutes: make it that old.
    sql(`UPDATE jobs SET locked_at = NOW() - INTERVAL 11 MINUTE WHERE status = 'running' AND tenant_id = ${t.id}`);
    const d = await waitDone(t.token, id, 90000);
    assert.equal(d.status, 'done');
    assert.equal(d.report.created, n);
    assert.equal(count(t, `email LIKE '%.${tag}@example.com'`), n, 'every row once');
    assert.equal(Number(sql(`SELECT COUNT(DISTINCT entity_id) FROM tags WHERE tenant_id = ${t.id} AND tag = 'y'`)) >= n, true);
    assert.deepEqual(crashesSince(mark), []);
  });

  test('an import left running by a job that died can be run again; a live one answers 409', async () => {
    const tag = randomBytes(3).toString('hex');
    const up = await upload(t.token, 'leads', `first_name,email\nDead,dead.${tag}@example.com\n`);
    const id = up.json.data.id;
    // Running, with its job queued (for later): a second run is refused.
    sql(`UPDATE contacts_imports SET status = 'running' WHERE tenant_id = ${t.id} AND id = ${id}`);
    sql(`INSERT INTO jobs (tenant_id, kind, payload, run_at) VALUES (${t.id}, 'contacts.import',
         '{"import_id":${id},"offset":0}', NOW() + INTERVAL 1 HOUR)`);
    const busy = await call(t.token, 'POST', `/api/v1/imports/${id}/run`, {});
    assert.equal(busy.status, 409, busy.text);
    // As after a job's last retry failed: the import says running, no job is left for it.
    sql(`DELETE FROM jobs WHERE tenant_id = ${t.id} AND kind = 'contacts.import' AND status = 'queued'`);
    const r = await call(t.token, 'POST', `/api/v1/imports/${id}/run`, {});
    assert.equal(r.status, 202, r.text);
    const d = await waitDone(t.token, id);
    assert.equal(d.report.created, 1);
  });

  test('a saved mapping is offered for the next file with the same columns', async () => {
    const m = await call(t.token, 'POST', '/api/v1/imports/mappings', {
      kind: 'leads', name: `Portal export ${randomBytes(2).toString('hex')}`,
      mapping: { Nom: 'first_name', Courriel: 'email', Remarque: null },
    });
    assert.equal(m.status, 201, m.text);
    const up = await upload(t.token, 'leads', 'Nom,Courriel,Remarque\nAna,ana.fr@example.com,x\n');
    assert.deepEqual(up.json.data.mapping, { Nom: 'first_name', Courriel: 'email', Remarque: null });
    const list = await call(t.token, 'GET', '/api/v1/imports/mappings?kind=leads');
    assert.ok(list.json.data.some((x) => x.id === m.json.data.id));
    const p = await call(t.token, 'POST', `/api/v1/imports/${up.json.data.id}/preview`, { mapping_id: m.json.data.id });
    assert.equal(p.json.data.valid, 1, p.text);
    const bad = await call(t.token, 'POST', '/api/v1/imports/mappings', { kind: 'leads', name: 'x', mapping: { a: 'nope' } });
    assert.equal(bad.status, 422);
  });

  test('new records are written a batch at a time with their tags, address, audit entry and event; rescoring is coalesced', async () => {
    const b = newTenant('batch');
    const tag = randomBytes(3).toString('hex');
    const rows = ['first_name,last_name,email,phone,tags,address.city'];
    for (let i = 0; i < 620; i++) {
      // Every third row without a phone: rows of two column sets in one batch.
      rows.push(`B${i},Batch,b${i}.${tag}@example.com,${i % 3 ? `+34 61${String(i).padStart(7, '0')}` : ''},"x, y",Jávea`);
    }
    // Row 11 repeats row 3's email (the same batch): a duplicate of the record row 3 creates.
    rows.splice(11, 0, `Again,Batch,b2.${tag}@example.com,,,`);
    const up = await upload(b.token, 'leads', rows.join('\n') + '\n');
    await call(b.token, 'POST', `/api/v1/imports/${up.json.data.id}/run`, { duplicates: 'skip' });
    const d = await waitDone(b.token, up.json.data.id);
    assert.equal(d.status, 'done', JSON.stringify(d));
    assert.deepEqual({ ...d.report, url: undefined }, { created: 620, updated: 0, skipped: 1, invalid: 0, url: undefined });
    const first = sql(`SELECT id FROM contacts WHERE tenant_id = ${b.id} AND email = 'b2.${tag}@example.com'`);
    const rep = await fetch(`${BASE}${d.report.url}`, { headers: { Authorization: `Bearer ${b.token}` } });
    assert.match(await rep.text(), new RegExp(`"11","12","skipped","${first}","","a duplicate of record ${first} `));
    const ids = sql(`SELECT id FROM contacts WHERE tenant_id = ${b.id} AND email LIKE '%.${tag}@example.com'`).split('\n');
    assert.equal(ids.length, 620);
    assert.equal(count(b, `email LIKE '%.${tag}@example.com' AND email_norm = LOWER(email)`), 620, 'the normalised keys are written');
    assert.equal(count(b, `email LIKE '%.${tag}@example.com' AND phone IS NULL`), 207);
    assert.equal(count(b, `email LIKE '%.${tag}@example.com' AND currency = 'EUR' AND agent_id IS NOT NULL`), 620,
      'columns a row does not set keep their defaults');
    assert.equal(sql(`SELECT COUNT(*) FROM tags WHERE tenant_id = ${b.id} AND entity = 'contact' AND tag IN ('x', 'y')`), '1240');
    assert.equal(sql(`SELECT COUNT(*) FROM contact_addresses WHERE tenant_id = ${b.id} AND city = 'Jávea'`), '620');
    const audit = sql(`SELECT changes FROM audit_log WHERE tenant_id = ${b.id} AND entity = 'contact' AND action = 'create'
      AND entity_id = ${ids[0]}`);
    const ch = JSON.parse(audit);
    assert.deepEqual(ch.tags, [[], ['x', 'y']]);
    assert.deepEqual(ch.addresses, [null, [{ city: 'Jávea' }]]);
    assert.deepEqual(ch.first_name, [null, 'B0']);
    assert.equal(sql(`SELECT COUNT(*) FROM audit_log WHERE tenant_id = ${b.id} AND entity = 'contact' AND action = 'create'`), '620');
    // Each lead.created asks for a rescoring: one drain per batch, each lead scored once.
    await waitFor(() => sql(`SELECT COUNT(*) FROM rescore_pending WHERE tenant_id = ${b.id}`) === '0'
      && sql(`SELECT COUNT(*) FROM jobs WHERE tenant_id = ${b.id} AND kind = 'lead.rescore' AND status <> 'done'`) === '0',
      { timeout: 60000, what: 'the drains' });
    assert.equal(sql(`SELECT COUNT(DISTINCT contact_id), COUNT(*) FROM score_history WHERE tenant_id = ${b.id}`), '620\t620');
    const drains = Number(sql(`SELECT COUNT(*) FROM jobs WHERE tenant_id = ${b.id} AND kind = 'lead.rescore'`));
    assert.ok(drains >= 1 && drains <= 4, `${drains} rescore jobs for two batches`);
  });
});

describe('access', () => {
  test("another tenant's import answers 404; a viewer reads but cannot import", async () => {
    const up = await upload(t.token, 'leads', 'first_name\nAna\n');
    const other = newTenant('b');
    for (const [m, p] of [['GET', ''], ['POST', '/preview'], ['POST', '/run'], ['GET', '/report']]) {
      const r = await call(other.token, m, `/api/v1/imports/${up.json.data.id}${p}`, m === 'POST' ? {} : undefined);
      assert.equal(r.status, 404, `${m} ${p}`);
    }
    const agentA = userToken(t, 'agent');
    const agentB = userToken(t, 'agent');
    const mine = await upload(agentA, 'leads', 'first_name,email\nAna,ana.mine@example.com\n');
    assert.equal(mine.status, 201, mine.text);
    assert.equal((await call(agentA, 'GET', `/api/v1/imports/${mine.json.data.id}`)).status, 200);
    assert.equal((await call(agentB, 'GET', `/api/v1/imports/${mine.json.data.id}`)).status, 404,
      "an agent does not see another agent's import (its rows are that agent's)");
    assert.ok(!(await call(agentB, 'GET', '/api/v1/imports')).json.data.some((x) => x.id === mine.json.data.id));
    assert.equal((await call(t.token, 'GET', `/api/v1/imports/${mine.json.data.id}`)).status, 200, 'an admin sees it');
    const viewer = userToken(t, 'viewer');
    assert.equal((await call(viewer, 'GET', `/api/v1/imports/${up.json.data.id}`)).status, 200);
    assert.equal((await upload(viewer, 'leads', 'first_name\nAna\n')).status, 403);
    assert.equal((await call(viewer, 'POST', `/api/v1/imports/${up.json.data.id}/run`, {})).status, 403);
  });
});
