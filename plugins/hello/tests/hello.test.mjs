// The hello plugin against the running stack: routes, a transaction with an
// event delivered after commit, and a scheduled job run by the job runner.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

const BASE = process.env.TS_BASE ?? 'http://127.0.0.1:8080';
const CLI = process.env.TS_CLI;
const CONF = process.env.TS_CONF;

function cli(...args) {
  return execFileSync(CLI, ['-c', CONF, ...args], { encoding: 'utf8' });
}

// The [db:main] socket and database from the config: the test reads and
// writes the schedule table the way an operator would.
function dbMain() {
  const text = readFileSync(CONF, 'utf8');
  const section = text.split(/^\[/m).find((s) => s.startsWith('db:main]'));
  const get = (k) => (section.match(new RegExp(`^${k}\\s*=\\s*(.*)$`, 'm')) ?? [])[1]?.trim();
  return { socket: get('socket'), database: get('database'), user: get('user') || 'root' };
}

function sql(query) {
  const db = dbMain();
  return execFileSync('mariadb', [`--socket=${db.socket}`, `-u${db.user}`, '-N', '-B', db.database, '-e', query],
    { encoding: 'utf8' }).trim();
}

let token, tenantId;
const slug = `hello-${randomBytes(4).toString('hex')}`;

async function api(path, init = {}) {
  const res = await fetch(BASE + path, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

before(() => {
  assert.ok(CLI && CONF, 'TS_CLI and TS_CONF must name the CLI and its config');
  const password = randomBytes(12).toString('hex');
  cli('tenant', 'create', slug, '--host', `${slug}.localhost`, '--admin-email', `admin@${slug}.localhost`,
    '--admin-password', password, '--name', 'Hello Test Agency');
  token = cli('token', 'create', '--tenant', slug, '--email', `admin@${slug}.localhost`).trim().split('\n').pop();
});

test('greets the caller with the tenant', async () => {
  const r = await api('/api/v1/hello?name=Marta');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.data, { greeting: 'hello', name: 'Marta', tenant: slug });
  tenantId = (await api('/api/v1/me')).body.data.tenant.id;
});

test('signing the guestbook stores the message and counts it after commit', async () => {
  const before = (await api('/api/v1/hello/count')).body.data.signed;
  const r = await api('/api/v1/hello/guestbook', { method: 'POST', body: JSON.stringify({ message: 'Hola <b>Jávea</b>' }) });
  assert.equal(r.status, 201);
  assert.equal(r.body.data.message, 'Hola <b>Jávea</b>');
  assert.match(r.body.data.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const list = await api('/api/v1/hello/guestbook');
  assert.equal(list.status, 200);
  assert.ok(list.body.data.some((e) => e.id === r.body.data.id), 'the new entry is listed');
  assert.equal((await api('/api/v1/hello/count')).body.data.signed, before + 1, 'the subscriber ran once');
});

test('an invalid message is refused with the field named, and nothing is stored', async () => {
  const before = (await api('/api/v1/hello/guestbook')).body.data.length;
  const r = await api('/api/v1/hello/guestbook', { method: 'POST', body: JSON.stringify({ message: 'x'.repeat(501) }) });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'validation_failed');
  assert.ok(r.body.error.fields.message);
  assert.equal((await api('/api/v1/hello/guestbook')).body.data.length, before);
});

test('a due schedule becomes a hello.tick job that the job runner runs', async () => {
  sql(`INSERT INTO job_schedules (tenant_id, name, kind, cron, payload, next_run_at)
       VALUES (${Number(tenantId)}, 'hello-every-minute', 'hello.tick', '* * * * *', '{}', NOW() - INTERVAL 1 MINUTE)`);
  let ticks = 0;
  for (let i = 0; i < 50 && ticks === 0; i++) {
    await new Promise((r) => setTimeout(r, 200));
    ticks = (await api('/api/v1/hello/count')).body.data.ticks;
  }
  assert.equal(ticks, 1, 'exactly one tick ran');
  const next = sql(`SELECT next_run_at > NOW() FROM job_schedules WHERE tenant_id = ${Number(tenantId)} AND name = 'hello-every-minute'`);
  assert.equal(next, '1', 'the schedule moved to its next minute');
  const jobs = JSON.parse(cli('jobs', '--json'));
  assert.ok(jobs.some((j) => j.kind === 'hello.tick' && j.tenant_id === tenantId && j.status === 'done'),
    'the job is listed as done');
});

test('a disabled plugin answers 404 for that tenant only', async () => {
  cli('plugin', 'disable', 'hello', '--tenant', slug);
  try {
    let status = 200;
    for (let i = 0; i < 40 && status !== 404; i++) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await api('/api/v1/hello')).status;
    }
    assert.equal(status, 404);
    assert.equal((await api('/api/v1/me')).status, 200, 'the core still answers');
  } finally {
    cli('plugin', 'enable', 'hello', '--tenant', slug);
  }
});
