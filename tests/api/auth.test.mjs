// Who is asking: API tokens, the login form, sessions, CSRF, logout, login
// throttling, password reset and invitations.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
    adminToken, api, crashesSince, csrfFrom, Jar, login, logMark, newTenant, newToken, newUser,
    rand, readConf, request, session, sessionCsrf, setCookie, show, sleep, tokenCacheMs, tokenList, cli,
} from './_http.mjs';

const HEX64 = /^[0-9a-f]{64}$/;
const mark = logMark();
let t;        // the tenant most tests here use
let agent;    // an agent of t, with a name

before(async () => {
    t = newTenant('auth');
    await adminToken(t);
    agent = newUser(t, 'agent', { name: `Agent ${rand(3)}` });
    agent.token = newToken(t, agent.email);
});

function assertErrorShape(res, status, code) {
    assert.equal(res.status, status, show(res));
    assert.match(res.headers['content-type'] ?? '', /^application\/json/, show(res));
    assert.ok(res.json, `a JSON body: ${show(res)}`);
    assert.deepEqual(Object.keys(res.json), ['error'], show(res));
    assert.equal(typeof res.json.error.message, 'string', show(res));
    assert.ok(res.json.error.message.length > 0, show(res));
    if (code) {
        assert.equal(res.json.error.code, code, show(res));
    } else {
        assert.equal(typeof res.json.error.code, 'string', show(res));
    }
}

describe('API tokens', () => {
    test('GET /api/v1/me with a token returns the user, role and tenant', async () => {
        const res = await api('GET', '/api/v1/me', { token: t.adminToken });
        assert.equal(res.status, 200, show(res));
        const d = res.json.data;
        assert.equal(d.user.email, t.admin.email);
        assert.equal(typeof d.user.id, 'number');
        assert.equal(typeof d.user.name, 'string');
        assert.equal(d.role, 'admin');
        assert.deepEqual(d.tenant, { id: t.id, slug: t.slug, name: t.slug });

        const a = await api('GET', '/api/v1/me', { token: agent.token });
        assert.equal(a.status, 200, show(a));
        assert.equal(a.json.data.user.id, agent.id);
        assert.equal(a.json.data.user.email, agent.email);
        assert.equal(a.json.data.user.name, agent.name);
        assert.equal(a.json.data.role, 'agent');
        assert.equal(a.json.data.tenant.slug, t.slug);
    });

    test('no token: 401 with the JSON error shape', async () => {
        assertErrorShape(await api('GET', '/api/v1/me'), 401, 'unauthenticated');
        // The tenant's own host does not log anyone in either.
        assertErrorShape(await api('GET', '/api/v1/me', { host: t.host }), 401, 'unauthenticated');
        // Neither does another scheme.
        assertErrorShape(await api('GET', '/api/v1/me', {
            host: t.host, headers: { authorization: `Basic ${Buffer.from(`${t.admin.email}:${t.admin.password}`).toString('base64')}` },
        }), 401, 'unauthenticated');
    });

    test('malformed tokens: 401', async () => {
        const hex = t.adminToken.split('_')[2];
        const bad = [
            'junk',
            'tso_',
            `tso_${t.id}_`,
            `tso_${t.id}_${hex.slice(1)}`,               // 63 digits
            `${t.adminToken}0`,                           // 65 digits
            `tso_${t.id}_${hex.toUpperCase()}`,          // upper-case hex
            `tso_0_${hex}`,                               // tenant 0
            `tso_-${t.id}_${hex}`,
            `tso_x_${hex}`,
            `tso_${t.id}_${hex.slice(0, 63)}g`,
            `tso_${t.id}_${hex.slice(0, 32)} ${hex.slice(32)}`,
        ];
        for (const token of bad) {
            const res = await api('GET', '/api/v1/me', { token });
            assertErrorShape(res, 401, 'invalid_token');
        }
    });

    test('unknown tokens: 401, also a real token with another tenant id in front', async () => {
        const other = newTenant('auth2');
        const hex = t.adminToken.split('_')[2];
        for (const token of [`tso_${t.id}_${rand(32)}`, `tso_${other.id}_${hex}`, `tso_99999999_${hex}`]) {
            assertErrorShape(await api('GET', '/api/v1/me', { token }), 401, 'invalid_token');
        }
    });

    test('a revoked token answers 401; the user\'s other tokens keep working', async () => {
        const name = `rev-${rand()}`;
        const tok = newToken(t, agent.email, name);
        assert.equal((await api('GET', '/api/v1/me', { token: tok })).status, 200);
        const row = tokenList(t).find((r) => r.name === name);
        assert.ok(row, `token ${name} in token list`);
        assert.equal(row.email, agent.email);
        assert.equal(row.revoked_at, null);
        cli('token', 'revoke', '--tenant', t.slug, '--id', String(row.id));
        assert.notEqual(tokenList(t).find((r) => r.id === row.id).revoked_at, null);
        // Workers may trust a token they verified for [security] token_cache_ms.
        await sleep(tokenCacheMs() + 300);
        for (let i = 0; i < 6; i++) {   // several workers, each with its own cache
            assertErrorShape(await api('GET', '/api/v1/me', { token: tok }), 401, 'invalid_token');
        }
        // Revoked means revoked for writes too.
        assertErrorShape(await api('POST', '/api/v1/hello/guestbook', { token: tok, json: { message: 'x' } }),
                         401, 'invalid_token');
        assert.equal((await api('GET', '/api/v1/me', { token: agent.token })).status, 200);
        assert.throws(() => cli('token', 'revoke', '--tenant', t.slug, '--id', String(row.id)),
                      /no such active token/);
    });
});

describe('login form and sessions', () => {
    test('GET /login sets the ts_csrf cookie and the same value in the hidden _csrf field', async () => {
        const jar = new Jar();
        const res = await request('GET', '/login', { host: t.host, jar });
        assert.equal(res.status, 200, show(res));
        assert.match(res.headers['content-type'], /^text\/html/);
        const c = setCookie(res, 'ts_csrf');
        assert.ok(c, `Set-Cookie ts_csrf: ${res.headers['set-cookie']}`);
        assert.match(c.value, HEX64);
        assert.ok(c.attrs.has('httponly'), c.raw);
        assert.ok(c.attrs.has('samesite=lax'), c.raw);
        assert.equal(csrfFrom(res.text), c.value);
        assert.match(res.text, /<input[^>]*name="_csrf"[^>]*type="hidden"|type="hidden" name="_csrf"/);
        // A second visit with the cookie keeps it.
        const again = await request('GET', '/login', { host: t.host, jar });
        assert.equal(setCookie(again, 'ts_csrf'), null);
        assert.equal(csrfFrom(again.text), c.value);
    });

    test('POST /login: 303 and an HttpOnly SameSite=Lax ts_session; the session opens /', async () => {
        const { jar, res } = await login(t, agent.email, agent.password);
        assert.equal(res.status, 303, show(res));
        assert.equal(res.headers.location, '/');
        const c = setCookie(res, 'ts_session');
        assert.ok(c, `Set-Cookie ts_session: ${res.headers['set-cookie']}`);
        assert.match(c.value, HEX64);
        assert.ok(c.attrs.has('httponly'), c.raw);
        assert.ok(c.attrs.has('samesite=lax'), c.raw);
        assert.ok(c.attrs.has('path=/'), c.raw);
        const page = await request('GET', '/', { host: t.host, jar });
        assert.equal(page.status, 200, show(page));
        assert.match(page.headers['content-type'], /^text\/html/);
        assert.ok(page.text.includes(agent.name), 'the dashboard greets the user');
        assert.match(page.text, /action="\/logout"/);
        // The e-mail is matched without regard to case.
        const upper = await login(t, agent.email.toUpperCase(), agent.password);
        assert.equal(upper.res.status, 303, show(upper.res));
    });

    test('without a session, / redirects to the login page', async () => {
        const res = await request('GET', '/', { host: t.host });
        assert.equal(res.status, 303, show(res));
        assert.equal(res.headers.location, '/login?next=%2F');
        const junk = await request('GET', '/', { host: t.host, jar: new Jar({ ts_session: rand(32) }) });
        assert.equal(junk.status, 303, show(junk));
    });

    test('a new session id at every login, even when the client brings one', async () => {
        const a = await session(t, agent);
        const b = await session(t, agent);
        assert.notEqual(a.get('ts_session'), b.get('ts_session'));
        // Session fixation: a cookie chosen by an attacker is replaced.
        const fixed = rand(32);
        const jar = new Jar({ ts_session: fixed });
        const { res } = await login(t, agent.email, agent.password, { jar });
        assert.equal(res.status, 303, show(res));
        const c = setCookie(res, 'ts_session');
        assert.ok(c && HEX64.test(c.value));
        assert.notEqual(c.value, fixed);
        // The replaced session id was never stored: it logs nobody in.
        const page = await request('GET', '/', { host: t.host, jar: new Jar({ ts_session: fixed }) });
        assert.equal(page.status, 303);
    });

    test('POST /login without a valid CSRF token: 403 and no session', async () => {
        const jar = new Jar();
        const page = await request('GET', '/login', { host: t.host, jar });
        const good = csrfFrom(page.text);
        const attempts = [
            { jar, form: { email: agent.email, password: agent.password } },               // no _csrf
            { jar, form: { _csrf: rand(32), email: agent.email, password: agent.password } }, // wrong
            { jar: new Jar(), form: { _csrf: good, email: agent.email, password: agent.password } }, // no cookie
            { jar, form: { _csrf: good.slice(0, 63), email: agent.email, password: agent.password } },
        ];
        for (const a of attempts) {
            const res = await request('POST', '/login', { host: t.host, ...a });
            assert.equal(res.status, 403, show(res));
            assert.match(res.text, /form is stale or was not sent by this site/);
            assert.equal(setCookie(res, 'ts_session'), null);
        }
        // The X-CSRF-Token header is as good as the field.
        const res = await request('POST', '/login', {
            host: t.host, jar, headers: { 'x-csrf-token': good },
            form: { email: agent.email, password: agent.password },
        });
        assert.equal(res.status, 303, show(res));
    });

    test('the JSON API with a session cookie needs the CSRF header for writes: 403 csrf_failed', async () => {
        const jar = await session(t, agent);
        // Reads with the cookie work.
        const me = await api('GET', '/api/v1/me', { host: t.host, jar });
        assert.equal(me.status, 200, show(me));
        assert.equal(me.json.data.user.email, agent.email);
        const msg = `csrf ${rand()}`;
        const res = await api('POST', '/api/v1/hello/guestbook', { host: t.host, jar, json: { message: msg } });
        assertErrorShape(res, 403, 'csrf_failed');
        // The pre-login double-submit token is not the session's token.
        const wrong = await api('POST', '/api/v1/hello/guestbook', {
            host: t.host, jar, json: { message: msg }, headers: { 'x-csrf-token': rand(32) },
        });
        assertErrorShape(wrong, 403, 'csrf_failed');
        const list = await api('GET', '/api/v1/hello/guestbook', { token: agent.token });
        assert.ok(!list.json.data.some((e) => e.message === msg), 'nothing was written');
        const csrf = await sessionCsrf(t, jar);
        const ok = await api('POST', '/api/v1/hello/guestbook', {
            host: t.host, jar, json: { message: msg }, headers: { 'x-csrf-token': csrf },
        });
        assert.equal(ok.status, 201, show(ok));
        assert.equal(ok.json.data.user_id, agent.id);
    });

    test('logout ends the session on the server', async () => {
        const jar = await session(t, agent);
        const old = jar.clone();
        const csrf = await sessionCsrf(t, jar);
        // Logout is a form post: without the token it is refused and the session lives on.
        const refused = await request('POST', '/logout', { host: t.host, jar, form: {} });
        assert.equal(refused.status, 403, show(refused));
        assert.equal((await request('GET', '/', { host: t.host, jar })).status, 200);

        const res = await request('POST', '/logout', { host: t.host, jar, form: { _csrf: csrf } });
        assert.equal(res.status, 303, show(res));
        assert.equal(res.headers.location, '/login');
        const cleared = setCookie(res, 'ts_session');
        assert.ok(cleared && cleared.attrs.has('max-age=0'), `cookie cleared: ${res.headers['set-cookie']}`);
        // The old cookie, replayed, no longer works: the server forgot it.
        const page = await request('GET', '/', { host: t.host, jar: old });
        assert.equal(page.status, 303, show(page));
        assert.match(page.headers.location, /^\/login/);
        assertErrorShape(await api('GET', '/api/v1/me', { host: t.host, jar: old }), 401, 'unauthenticated');
    });

    test('a wrong password: 401 page that keeps the (escaped) email, no session', async () => {
        const { res } = await login(t, agent.email, 'not-the-password');
        assert.equal(res.status, 401, show(res));
        assert.match(res.headers['content-type'], /^text\/html/);
        assert.match(res.text, /wrong email or password/);
        assert.ok(res.text.includes(`value="${agent.email}"`), 'the email field is filled in');
        assert.equal(setCookie(res, 'ts_session'), null);
        // An unknown account gets the same answer.
        const unknown = await login(t, `nobody-${rand()}@${t.slug}.test`, 'not-the-password');
        assert.equal(unknown.res.status, 401);
        assert.match(unknown.res.text, /wrong email or password/);
        // The echoed email is escaped.
        const evil = `x"><script>alert(1)</script>@${t.slug}.test`;
        const xss = await login(t, evil, 'not-the-password');
        assert.equal(xss.res.status, 401);
        assert.ok(!xss.res.text.includes('<script>alert(1)</script>'), 'the email is HTML-escaped');
        assert.match(xss.res.text, /&lt;script&gt;|&#x3c;script|&#60;script/i);
    });

    test('after login, next= goes to our own paths only', async () => {
        const cases = [
            ['/settings/outbox', '/settings/outbox'],
            ['//evil.example/x', '/'],
            ['/\\evil.example', '/'],
            ['https://evil.example/', '/'],
        ];
        for (const [next, want] of cases) {
            const { res } = await login(t, t.admin.email, t.admin.password, { next });
            assert.equal(res.status, 303, show(res));
            assert.equal(res.headers.location, want, `next=${next}`);
        }
    });
    test('after login, next= with a tab or newline cannot turn into //host', async () => {
        for (const next of ['/\t/evil.example/', '/\n/evil.example/', '/\r/evil.example/', '/ \t/evil.example/']) {
            const { res } = await login(t, t.admin.email, t.admin.password, { next });
            assert.equal(res.status, 303, show(res));
            const loc = res.headers.location;
            assert.ok(loc !== undefined, `a Location for next=${JSON.stringify(next)}`);
            // What a browser makes of it: tabs and newlines are removed before parsing.
            const target = new URL(loc.replace(/[\t\n\r]/g, ''), `http://${t.host}/`);
            assert.equal(target.host, t.host, `next=${JSON.stringify(next)} -> Location ${JSON.stringify(loc)}`);
        }
    });
});

describe('login throttling', () => {
    const sec = readConf().security;
    const maxAccount = Number(sec.login_max_account);
    const maxIp = Number(sec.login_max_ip);

    test('config is what the tests expect', () => {
        assert.ok(maxAccount >= 1 && maxIp > maxAccount, JSON.stringify(sec));
        assert.ok(Number(sec.login_window) >= 60, 'a window long enough to see within a test');
    });

    test(`${maxAccount} failed logins for one account: the next one answers 429, even with the right password`, async () => {
        const tt = newTenant('thr');
        const u = newUser(tt, 'agent');
        const bystander = newUser(tt, 'agent');
        for (let i = 0; i < maxAccount; i++) {
            // The case of the address does not make it another account.
            const email = i % 2 ? u.email.toUpperCase() : u.email;
            const { res } = await login(tt, email, `wrong-${i}-password`);
            assert.equal(res.status, 401, `failure ${i + 1}: ${show(res)}`);
        }
        const { res } = await login(tt, u.email, u.password);
        assert.equal(res.status, 429, show(res));
        assert.match(res.text, /too many failed logins/);
        assert.equal(setCookie(res, 'ts_session'), null);
        // Still locked on the next try, and whatever the case.
        assert.equal((await login(tt, u.email.toUpperCase(), u.password)).res.status, 429);
        // Another account of the same tenant is not affected.
        assert.equal((await login(tt, bystander.email, bystander.password)).res.status, 303);
        // Nor is the same account's API token.
        const tok = newToken(tt, u.email);
        assert.equal((await api('GET', '/api/v1/me', { token: tok })).status, 200);
    });

    test(`${maxIp} failed logins from one address: 429 for any account (X-Forwarded-For does not help)`, async () => {
        const tt = newTenant('thrip');
        const u = newUser(tt, 'agent');
        for (let i = 0; i < maxIp; i++) {
            // Different accounts, so the per-account limit never triggers.
            const { res } = await login(tt, `nobody-${i}-${rand(3)}@${tt.slug}.test`, 'wrong-password', {
                headers: { 'x-forwarded-for': `203.0.113.${i + 1}`, 'x-real-ip': `203.0.113.${i + 1}` },
            });
            assert.equal(res.status, 401, `failure ${i + 1}: ${show(res)}`);
        }
        const { res } = await login(tt, u.email, u.password, { headers: { 'x-forwarded-for': '198.51.100.7' } });
        assert.equal(res.status, 429, show(res));
    });

    test('a successful login before the limit resets the account counter', async () => {
        const tt = newTenant('throk');
        const u = newUser(tt, 'agent');
        for (let round = 0; round < 2; round++) {
            for (let i = 0; i < maxAccount - 1; i++) {
                assert.equal((await login(tt, u.email, 'wrong-password-x')).res.status, 401);
            }
            assert.equal((await login(tt, u.email, u.password)).res.status, 303, `round ${round}`);
        }
    });
});

describe('password reset', () => {
    test('POST /password/forgot answers the same 303 for known and unknown addresses', async () => {
        const jar = new Jar();
        const page = await request('GET', '/password/forgot', { host: t.host, jar });
        assert.equal(page.status, 200, show(page));
        const csrf = csrfFrom(page.text);
        assert.ok(csrf);
        const unknownEmail = `ghost-${rand()}@${t.slug}.test`;
        const known = await request('POST', '/password/forgot', { host: t.host, jar, form: { _csrf: csrf, email: agent.email } });
        const unknown = await request('POST', '/password/forgot', { host: t.host, jar, form: { _csrf: csrf, email: unknownEmail } });
        for (const res of [known, unknown]) {
            assert.equal(res.status, 303, show(res));
            assert.equal(res.headers.location, '/login');
            assert.equal(res.body.length, 0);
        }
        assert.deepEqual(known.headers['set-cookie'], unknown.headers['set-cookie']);
        assert.equal(known.headers['content-type'], unknown.headers['content-type']);
        assert.equal(setCookie(known, 'ts_flash')?.value, 'reset_sent');

        // Only the known address got a mail.
        const adm = await session(t, t.admin);
        const outbox = await request('GET', '/settings/outbox', { host: t.host, jar: adm });
        assert.equal(outbox.status, 200, show(outbox));
        const rows = outbox.text.split('<tr>').filter((r) => r.includes('Reset your Tesoro password'));
        assert.ok(rows.some((r) => r.includes(agent.email)), 'a reset mail to the known address');
        assert.ok(!outbox.text.includes(unknownEmail), 'nothing to the unknown address');
    });

    test('POST /password/forgot without the CSRF token: 403', async () => {
        const res = await request('POST', '/password/forgot', { host: t.host, form: { email: agent.email } });
        assert.equal(res.status, 403, show(res));
    });
});

describe('invitations', () => {
    test('POST /api/v1/users/invite (admin): 201 and the user is invited', async () => {
        const email = `Invitee-${rand()}@${t.slug}.test`;
        const res = await api('POST', '/api/v1/users/invite', {
            token: t.adminToken, json: { email, name: 'Invited Person', role: 'viewer' },
        });
        assert.equal(res.status, 201, show(res));
        const u = res.json.data;
        assert.equal(u.email, email.toLowerCase());
        assert.equal(u.status, 'invited');
        assert.equal(u.role, 'viewer');
        assert.equal(u.name, 'Invited Person');
        assert.equal(u.password_hash, undefined, 'no hash in the answer');
        const show1 = await api('GET', `/api/v1/users/${u.id}`, { token: t.adminToken });
        assert.equal(show1.status, 200);
        assert.equal(show1.json.data.status, 'invited');
        // The same address again: 409.
        const dup = await api('POST', '/api/v1/users/invite', { token: t.adminToken, json: { email: email.toUpperCase() } });
        assertErrorShape(dup, 409, 'conflict');
        // An invited user cannot log in (no password yet).
        const { res: li } = await login(t, email, 'anything-at-all');
        assert.equal(li.status, 401);
    });

    test('invite validation: 422 naming the field; non-admins 403', async () => {
        const bad = await api('POST', '/api/v1/users/invite', { token: t.adminToken, json: { email: 'not-an-email' } });
        assertErrorShape(bad, 422, 'validation_failed');
        assert.ok(bad.json.error.fields.email);
        const role = await api('POST', '/api/v1/users/invite', {
            token: t.adminToken, json: { email: `r-${rand()}@${t.slug}.test`, role: 'owner' },
        });
        assertErrorShape(role, 422, 'validation_failed');
        assert.ok(role.json.error.fields.role);
        const email = `byagent-${rand()}@${t.slug}.test`;
        const forbidden = await api('POST', '/api/v1/users/invite', { token: agent.token, json: { email } });
        assertErrorShape(forbidden, 403, 'forbidden');
        const list = await api('GET', '/api/v1/users?limit=500', { token: t.adminToken });
        assert.ok(!list.json.data.some((u) => u.email === email), 'the agent created nobody');
    });

    test('the outbox page lists the invitation mail, with a link on the tenant\'s base URL', async () => {
        const email = `outbox-${rand()}@${t.slug}.test`;
        // A forged Host must not end up in the link.
        const res = await api('POST', '/api/v1/users/invite', {
            token: t.adminToken, host: 'evil.example', json: { email, role: 'agent' },
        });
        assert.equal(res.status, 201, show(res));
        const adm = await session(t, t.admin);
        const page = await request('GET', '/settings/outbox', { host: t.host, jar: adm });
        assert.equal(page.status, 200, show(page));
        assert.match(page.headers['content-type'], /^text\/html/);
        const row = page.text.split('<tr>').find((r) => r.includes(email));
        assert.ok(row, 'a row for the invited address');
        assert.ok(row.includes(`Your invitation to ${t.slug}`), 'the invitation subject');
        const base = readConf().web.base_url.replace('{host}', t.host);
        const link = new RegExp(`${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/invite/[0-9a-f]{64}`);
        assert.match(row, link);
        assert.ok(!row.includes('evil.example'));
    });

    test('the outbox page: agents get 403, strangers the login page', async () => {
        const jar = await session(t, agent);
        const res = await request('GET', '/settings/outbox', { host: t.host, jar });
        assert.equal(res.status, 403, show(res));
        assert.ok(!res.text.includes('Your invitation to'), 'no mail shown');
        const anon = await request('GET', '/settings/outbox', { host: t.host });
        assert.equal(anon.status, 303);
        assert.equal(anon.headers.location, '/login?next=%2Fsettings%2Foutbox');
        // An agent's bearer token does not open it either.
        const tok = await request('GET', '/settings/outbox', { host: t.host, token: agent.token });
        assert.equal(tok.status, 403, show(tok));
    });
});

test('no worker crashed while these tests ran', () => {
    assert.deepEqual(crashesSince(mark), []);
});
