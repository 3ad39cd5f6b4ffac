// Mail, end to end: an invitation made through the API goes to the outbox,
// the job runner sends it to a real SMTP server (Debian's aiosmtpd), its link
// lets the invited user choose a password once and log in; a mail whose SMTP
// server is down stays queued and is retried.
//
// The instance's [smtp] url is used as it is when it names a free port on
// 127.0.0.1 (tests/run.sh sets smtp://127.0.0.1:2525): the server is started
// there. Otherwise (empty, as on the dev stack, or the port is taken) the
// server gets a free port and TS_CONF is pointed at it, with a SIGHUP; the
// original file is put back (and reloaded) afterwards.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
    cli, cliJson, ConfEdit, cookieSet, crashesSince, csrfFrom, dbConf, freePort, iniSet, Jar,
    logMark, masterPid, newTenant, newToken, password, portOpen, rand, readConf, reload, request,
    show, sql, sqlQuote, startSmtp, takeStack, tempDir, waitFor,
} from './_stack.mjs';

const HEX64 = '[0-9a-f]{64}';
let release;
let mark;
let tmp;
let smtp;
let t;                  // the tenant, with t.token (admin) and t.baseUrl
const conf = new ConfEdit();
let confNote = '';
let failing;            // { email, job } of the mail that cannot be sent

function setSmtpUrl(url) {
    conf.apply((text) => iniSet(text, 'smtp', 'url', url));
}

/** The jobs of kind mail.send of our tenant, newest first (`tesoro jobs --json`). */
function mailJobs(status) {
    const args = ['jobs'];
    if (status) {
        args.push('--status', status);
    }
    return cliJson(args).filter((j) => j.kind === 'mail.send' && j.tenant_id === t.id);
}

function outboxRow(to) {
    const rows = sql(dbConf('main').socket,
                     `SELECT status, attempts, COALESCE(last_error, '') FROM outbox WHERE tenant_id = ${
                         Number(t.id)} AND to_addr = ${sqlQuote(to)} ORDER BY id DESC LIMIT 1`);
    return rows[0] ? { status: rows[0][0], attempts: Number(rows[0][1]), lastError: rows[0][2] } : null;
}

/** Nothing of ours keeps retrying after the suite: queued mail of the test tenant is dropped. */
function dropQueuedMail() {
    if (!t?.id) {
        return;
    }
    const id = Number(t.id);
    sql(dbConf('main').socket, `DELETE FROM jobs WHERE tenant_id = ${id} AND kind = 'mail.send'
        AND status <> 'done'; UPDATE outbox SET status = 'failed' WHERE tenant_id = ${id}
        AND status = 'queued'`);
}

async function invite(email) {
    const res = await request('POST', '/api/v1/users/invite', {
        token: t.token, json: { email, name: 'Invited Person', role: 'agent' },
    });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json.data.email, email);
    assert.equal(res.json.data.status, 'invited');
    return res.json.data;
}

before(async () => {
    release = await takeStack();
    mark = logMark();
    tmp = tempDir('mail');
    const url = readConf().smtp?.url ?? '';
    const m = /^smtp:\/\/127\.0\.0\.1:(\d+)\/?$/.exec(url);
    let port;
    if (m && !(await portOpen(Number(m[1])))) {
        port = Number(m[1]);
        confNote = `[smtp] url = ${url} as configured`;
    } else {
        port = await freePort();
        confNote = `[smtp] url was '${url}'${m ? ' (its port is taken)' : ''}: TS_CONF set to smtp://127.0.0.1:${port} for this suite`;
    }
    smtp = await startSmtp(port, path.join(tmp.dir, 'Maildir'), path.join(tmp.dir, 'aiosmtpd.log'));
    if (!m || port !== Number(m[1])) {
        setSmtpUrl(`smtp://127.0.0.1:${port}`);
        const r = await reload();
        assert.ok(r.ok, `reload with the SMTP url: ${r.log}`);
    }
    t = newTenant('mail');
    t.token = newToken(t, t.admin.email);
    const row = cliJson(['tenant', 'list']).find((x) => x.slug === t.slug);
    t.baseUrl = row.base_url;
    assert.ok(t.baseUrl, `tenant ${t.slug} has a base_url`);
});

after(async () => {
    try {
        dropQueuedMail();
    } finally {
        if (conf.restore()) {
            await reload();
        }
        await smtp?.stop();
        tmp?.remove();
        release?.();
    }
});

describe('an invitation by mail', () => {
    const email = `invited-${rand()}@example.test`;
    const pass = password();
    let link;

    test('POST /api/v1/users/invite: the job runner sends the mail over SMTP', async (tt) => {
        tt.diagnostic(confNote);
        const started = Date.now();
        await invite(email);
        const msg = await waitFor(() => smtp.messages().find((x) => x.headers['x-rcptto'] === email),
                                  { timeout: 15000, interval: 100, what: `a mail to ${email} in the Maildir` });
        tt.diagnostic(`delivered ${Date.now() - started} ms after the invitation`);
        assert.equal(msg.headers.to, email);
        assert.match(msg.headers.from, /<[^>]+@[^>]+>|^[^<>\s]+@\S+$/);
        assert.equal(msg.headers.subject, `Your invitation to ${t.slug}`);
        const links = [...msg.body.matchAll(new RegExp(`https?://\\S+/invite/${HEX64}`, 'g'))].map((x) => x[0]);
        assert.equal(links.length, 1, msg.body);
        link = new URL(links[0]);
        assert.equal(`${link.protocol}//${link.host}`, t.baseUrl, 'the link is built from the tenant base_url');
        assert.equal(link.hostname, t.host);
        assert.match(link.pathname, new RegExp(`^/invite/${HEX64}$`));
        assert.equal(smtp.messages().filter((x) => x.headers['x-rcptto'] === email).length, 1, 'sent once');
    });

    test('the mail.send job is done and the outbox row sent', async () => {
        assert.ok(link, 'the mail arrived');
        const job = await waitFor(() => mailJobs('done')[0], { what: 'the mail.send job to be done' });
        assert.equal(job.status, 'done');
        assert.equal(job.attempts, 1);
        assert.equal(job.last_error, null);
        assert.equal(job.server, 'main');
        assert.deepEqual(outboxRow(email), { status: 'sent', attempts: 1, lastError: '' });
    });

    test('the link sets a password through the form, once; the new password logs in', async () => {
        assert.ok(link, 'the mail arrived');
        const jar = new Jar();
        const page = await request('GET', link.pathname, { host: t.host, jar });
        assert.equal(page.status, 200, show(page));
        assert.match(page.text, new RegExp(email.replace(/[.]/g, '\\.')));
        const csrf = csrfFrom(page.text);
        assert.ok(csrf, 'the form has a _csrf field');
        assert.ok(jar.get('ts_csrf'), 'the page set the ts_csrf cookie');

        // a form without its CSRF field is refused and spends nothing
        const noCsrf = await request('POST', link.pathname, { host: t.host, jar,
            form: { password: pass, password_again: pass } });
        assert.equal(noCsrf.status, 403, show(noCsrf));
        // two different passwords: the form again, the link still good
        const differ = await request('POST', link.pathname, { host: t.host, jar,
            form: { _csrf: csrf, password: pass, password_again: `${pass}x` } });
        assert.equal(differ.status, 422, show(differ));
        assert.match(differ.text, /differ/);

        const set = await request('POST', link.pathname, { host: t.host, jar,
            form: { _csrf: csrf, password: pass, password_again: pass } });
        assert.equal(set.status, 303, show(set));
        assert.equal(set.headers.location, '/login');
        assert.equal(cookieSet(set, 'ts_flash'), 'password_set');

        // log in with the new password, as a browser does
        const login = new Jar();
        const form = await request('GET', '/login', { host: t.host, jar: login });
        assert.equal(form.status, 200, show(form));
        const res = await request('POST', '/login', { host: t.host, jar: login,
            form: { _csrf: csrfFrom(form.text), email, password: pass } });
        assert.equal(res.status, 303, show(res));
        assert.ok(cookieSet(res, 'ts_session'), `a ts_session cookie: ${res.headers['set-cookie']}`);
        const home = await request('GET', '/', { host: t.host, jar: login });
        assert.equal(home.status, 200, show(home));

        // the same link again: refused, GET and POST alike
        const again = await request('GET', link.pathname, { host: t.host, jar: new Jar() });
        assert.equal(again.status, 303, show(again));
        assert.equal(again.headers.location, '/login');
        assert.equal(cookieSet(again, 'ts_flash'), 'link_invalid');
        const replay = await request('POST', link.pathname, { host: t.host, jar,
            form: { _csrf: csrf, password: 'Another-pass-123', password_again: 'Another-pass-123' } });
        assert.equal(replay.status, 303, show(replay));
        assert.equal(replay.headers.location, '/login');
        assert.equal(cookieSet(replay, 'ts_flash'), 'link_invalid');
        // and the password did not change
        const still = new Jar();
        const f2 = await request('GET', '/login', { host: t.host, jar: still });
        const r2 = await request('POST', '/login', { host: t.host, jar: still,
            form: { _csrf: csrfFrom(f2.text), email, password: pass } });
        assert.equal(r2.status, 303, show(r2));
    });
});

describe('a mail whose SMTP server is down', () => {
    test('stays queued with its error and is retried', async (tt) => {
        let port = 1;
        if (await portOpen(port)) {
            port = await freePort();
        }
        setSmtpUrl(`smtp://127.0.0.1:${port}`);
        const r = await reload();
        assert.ok(r.ok, `reload with a closed SMTP port: ${r.log}`);

        const email = `unlucky-${rand()}@example.test`;
        await invite(email);
        const first = await waitFor(() => {
            const j = mailJobs().find((x) => x.attempts >= 1 && x.status === 'queued' && x.last_error);
            return j ?? null;
        }, { timeout: 15000, what: 'the mail.send job to fail once' });
        assert.match(first.last_error, /^smtp: /);
        assert.match(first.last_error, new RegExp(`port ${port}|connect`, 'i'));
        const row = outboxRow(email);
        assert.equal(row.status, 'queued');
        assert.equal(row.attempts, 1);
        assert.match(row.lastError, /^smtp: /);
        // the retry waits (30 s after the first failure): due now, and run in the foreground
        const socket = dbConf('main').socket;
        assert.deepEqual(sql(socket, `SELECT run_at > NOW() FROM jobs WHERE id = ${Number(first.id)}`), [['1']],
                         'the retry is scheduled later');
        sql(socket, `UPDATE jobs SET run_at = NOW() WHERE id = ${Number(first.id)} AND status = 'queued'`);
        const out = cli(['jobs', 'run']);
        tt.diagnostic(`tesoro jobs run: ${out.trim()}`);
        const second = await waitFor(() => {
            const j = mailJobs().find((x) => x.id === first.id);
            return j && j.attempts >= 2 && j.status === 'queued' ? j : null;
        }, { timeout: 10000, what: `job ${first.id} to be tried again` });
        assert.match(second.last_error, /^smtp: /);
        assert.ok(second.attempts < second.max_attempts);
        assert.equal(outboxRow(email).attempts, 2);
        assert.equal(smtp.messages().filter((x) => x.headers['x-rcptto'] === email).length, 0, 'nothing was delivered');
        assert.ok(masterPid());
        failing = { email, job: second };
    });

    test('after max_attempts the job is dead', async () => {
        assert.ok(failing, 'the failing mail exists');
        const { job } = failing;
        // skip the waits (1, 2, 4 min ...): the last attempt, due now
        sql(dbConf('main').socket, `UPDATE jobs SET attempts = max_attempts - 1, run_at = NOW()
            WHERE id = ${Number(job.id)} AND status = 'queued'`);
        cli(['jobs', 'run']);
        const dead = await waitFor(() => {
            const j = mailJobs('dead').find((x) => x.id === job.id);
            return j ?? null;
        }, { timeout: 10000, what: `job ${job.id} to be dead` });
        assert.equal(dead.attempts, dead.max_attempts);
        assert.match(dead.last_error, /^smtp: /);
        assert.ok(dead.finished_at, 'a dead job has finished_at');
    });

    // A mail that will never be sent must not show as queued in Settings > Outbox.
    test('the outbox row of a dead mail says failed', () => {
        assert.ok(failing, 'the failing mail exists');
        assert.equal(outboxRow(failing.email).status, 'failed');
    });
});

test('no worker crashed', () => {
    assert.deepEqual(crashesSince(mark), []);
});
