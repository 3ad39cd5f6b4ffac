// What each role may do: plugin routes, the users API, mass assignment,
// self-demotion and the users list's paging.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
    adminToken, api, crashesSince, login, logMark, newTenant, newToken, newUser, rand,
    request, session, sessionCsrf, show, sleep, tokenCacheMs,
} from './_http.mjs';

const mark = logMark();
// Each worker trusts a verified token this long ([security] token_cache_ms):
// a change of role or status shows on the next request after it.
const TOKEN_CACHE_MS = tokenCacheMs();
const afterTokenCache = () => sleep(TOKEN_CACHE_MS + 300);

let t;
const u = {};   // viewer, agent, manager: { email, password, id, token }

before(async () => {
    t = newTenant('roles');
    await adminToken(t);
    for (const role of ['viewer', 'agent', 'manager']) {
        u[role] = newUser(t, role, { name: `The ${role}` });
        u[role].token = newToken(t, u[role].email);
    }
});

function assertError(res, status, code) {
    assert.equal(res.status, status, show(res));
    assert.equal(res.json?.error?.code, code, show(res));
}

async function guestbook(token) {
    const res = await api('GET', '/api/v1/hello/guestbook', { token });
    assert.equal(res.status, 200, show(res));
    return res.json.data;
}

describe('plugin routes by role', () => {
    test('a viewer reads /api/v1/hello and the guestbook', async () => {
        const res = await api('GET', '/api/v1/hello', { token: u.viewer.token });
        assert.equal(res.status, 200, show(res));
        assert.deepEqual(res.json.data, { greeting: 'hello', name: 'The viewer', tenant: t.slug });
        const named = await api('GET', '/api/v1/hello?name=Ana%20Mar%C3%ADa', { token: u.viewer.token });
        assert.equal(named.json.data.name, 'Ana María');
        assert.ok(Array.isArray(await guestbook(u.viewer.token)));
    });

    test('a viewer cannot sign the guestbook: 403, nothing written', async () => {
        const message = `viewer ${rand()}`;
        const res = await api('POST', '/api/v1/hello/guestbook', { token: u.viewer.token, json: { message } });
        assertError(res, 403, 'forbidden');
        assert.match(res.json.error.message, /agent/);
        assert.ok(!(await guestbook(t.adminToken)).some((e) => e.message === message));
        // With a session and a valid CSRF token, still 403: the role is checked, not the channel.
        const jar = await session(t, u.viewer);
        const csrf = await sessionCsrf(t, jar);
        const viaSession = await api('POST', '/api/v1/hello/guestbook', {
            host: t.host, jar, json: { message }, headers: { 'x-csrf-token': csrf },
        });
        assertError(viaSession, 403, 'forbidden');
    });

    test('an agent (and a manager) signs: 201', async () => {
        for (const role of ['agent', 'manager']) {
            const message = `${role} ${rand()}`;
            const res = await api('POST', '/api/v1/hello/guestbook', { token: u[role].token, json: { message } });
            assert.equal(res.status, 201, show(res));
            assert.equal(res.json.data.message, message);
            assert.equal(res.json.data.user_id, u[role].id);
            assert.equal(typeof res.json.data.id, 'number');
            const list = await guestbook(u.viewer.token);
            assert.ok(list.some((e) => e.id === res.json.data.id && e.message === message));
        }
    });

    test('invalid guestbook input: 422 naming the field', async () => {
        for (const json of [{}, { message: '' }, { message: 'x'.repeat(501) }, { message: 42 }, { Message: 'x' }]) {
            const res = await api('POST', '/api/v1/hello/guestbook', { token: u.agent.token, json });
            assertError(res, 422, 'validation_failed');
            assert.ok(res.json.error.fields.message, show(res));
        }
    });
});

describe('users API by role', () => {
    test('GET /api/v1/users: 403 below admin, 200 {data,next_cursor,total} for admins', async () => {
        for (const role of ['viewer', 'agent', 'manager']) {
            const res = await api('GET', '/api/v1/users', { token: u[role].token });
            assertError(res, 403, 'forbidden');
            assert.match(res.json.error.message, /admin/);
        }
        const res = await api('GET', '/api/v1/users', { token: t.adminToken });
        assert.equal(res.status, 200, show(res));
        assert.deepEqual(Object.keys(res.json).sort(), ['data', 'next_cursor', 'total']);
        assert.ok(Array.isArray(res.json.data));
        assert.equal(res.json.total, 4);
        assert.equal(res.json.data.length, 4);
        assert.equal(res.json.next_cursor, null);
        const emails = res.json.data.map((x) => x.email).sort();
        assert.deepEqual(emails, [t.admin.email, u.viewer.email, u.agent.email, u.manager.email].sort());
        for (const x of res.json.data) {
            assert.equal(x.password_hash, undefined, 'no password hash in the list');
            assert.equal(x.tenant_id, undefined);
            assert.ok(['admin', 'manager', 'agent', 'viewer'].includes(x.role));
            assert.equal(x.status, 'active');
        }
    });

    test('GET /api/v1/users/{id}: oneself yes, others only for admins', async () => {
        const self = await api('GET', `/api/v1/users/${u.agent.id}`, { token: u.agent.token });
        assert.equal(self.status, 200, show(self));
        assert.equal(self.json.data.email, u.agent.email);
        assert.equal(self.json.data.password_hash, undefined);
        assertError(await api('GET', `/api/v1/users/${u.viewer.id}`, { token: u.agent.token }), 403, 'forbidden');
        const adm = await api('GET', `/api/v1/users/${u.viewer.id}`, { token: t.adminToken });
        assert.equal(adm.status, 200, show(adm));
        assert.equal(adm.json.data.role, 'viewer');
        for (const id of ['0', 'abc', '99999999999', '1e3', '-1', `${u.viewer.id}x`]) {
            assertError(await api('GET', `/api/v1/users/${id}`, { token: t.adminToken }), 404, 'not_found');
        }
    });

    test('PATCH /api/v1/users/{id} by an admin changes name and role; the new role applies', async () => {
        const p = newUser(t, 'viewer');
        p.token = newToken(t, p.email);
        const name = `Renamed ${rand()}`;
        const res = await api('PATCH', `/api/v1/users/${p.id}`, { token: t.adminToken, json: { name, role: 'agent' } });
        assert.equal(res.status, 200, show(res));
        assert.equal(res.json.data.id, p.id);
        assert.equal(res.json.data.name, name);
        assert.equal(res.json.data.role, 'agent');
        const again = await api('GET', `/api/v1/users/${p.id}`, { token: t.adminToken });
        assert.equal(again.json.data.name, name);
        assert.equal(again.json.data.role, 'agent');
        await afterTokenCache();
        const me = await api('GET', '/api/v1/me', { token: p.token });
        assert.equal(me.json.data.role, 'agent');
        const sign = await api('POST', '/api/v1/hello/guestbook', { token: p.token, json: { message: `promoted ${rand()}` } });
        assert.equal(sign.status, 201, show(sign));
        // And back down: the agent loses the right again.
        const down = await api('PATCH', `/api/v1/users/${p.id}`, { token: t.adminToken, json: { role: 'viewer' } });
        assert.equal(down.status, 200, show(down));
        await afterTokenCache();
        assertError(await api('POST', '/api/v1/hello/guestbook', { token: p.token, json: { message: 'x' } }), 403, 'forbidden');
    });

    test('PATCH by an agent or a manager: 403, nothing changes', async () => {
        for (const role of ['agent', 'manager']) {
            for (const [id, json] of [[u.viewer.id, { name: 'hacked' }], [u[role].id, { role: 'admin' }]]) {
                const res = await api('PATCH', `/api/v1/users/${id}`, { token: u[role].token, json });
                assertError(res, 403, 'forbidden');
            }
        }
        const v = await api('GET', `/api/v1/users/${u.viewer.id}`, { token: t.adminToken });
        assert.equal(v.json.data.name, 'The viewer');
        for (const role of ['agent', 'manager']) {
            const x = await api('GET', `/api/v1/users/${u[role].id}`, { token: t.adminToken });
            assert.equal(x.json.data.role, role);
        }
    });

    test('PATCH validation: bad values 422, unknown user 404', async () => {
        const cases = [
            [{ role: 'owner' }, 'role'],
            [{ role: 'Admin' }, 'role'],
            [{ role: 4 }, 'role'],
            [{ name: 'x'.repeat(201) }, 'name'],
            [{ name: 7 }, 'name'],
            [{ status: 'invited' }, 'status'],
        ];
        for (const [json, field] of cases) {
            const res = await api('PATCH', `/api/v1/users/${u.viewer.id}`, { token: t.adminToken, json });
            assertError(res, 422, 'validation_failed');
            assert.ok(res.json.error.fields[field], `${JSON.stringify(json)}: ${show(res)}`);
        }
        assertError(await api('PATCH', '/api/v1/users/99999999', { token: t.adminToken, json: { name: 'x' } }), 404, 'not_found');
        const notObject = await api('PATCH', `/api/v1/users/${u.viewer.id}`, { token: t.adminToken, json: ['name'] });
        assertError(notObject, 400, 'bad_json');
    });

    test('mass assignment: tenant_id, password_hash and other columns are refused with 422 naming the field', async () => {
        const other = newTenant('rolesx');
        const fields = {
            tenant_id: other.id,
            password_hash: '$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
            id: 1,
            email: `new-${rand()}@${t.slug}.test`,
            must_change_password: 0,
            created_at: '2000-01-01 00:00:00',
            Role: 'admin',          // cJSON's case-insensitive lookup must not be in play
            ROLE: 'admin',
        };
        for (const [key, value] of Object.entries(fields)) {
            const name = `Mass ${rand()}`;
            const res = await api('PATCH', `/api/v1/users/${u.viewer.id}`, {
                token: t.adminToken, json: { name, [key]: value },
            });
            assertError(res, 422, 'validation_failed');
            assert.ok(res.json.error.fields?.[key], `error.fields names ${key}: ${show(res)}`);
            // The whole request was refused: the valid name did not slip through.
            const v = await api('GET', `/api/v1/users/${u.viewer.id}`, { token: t.adminToken });
            assert.equal(v.json.data.name, 'The viewer');
            assert.equal(v.json.data.role, 'viewer');
            assert.equal(v.json.data.email, u.viewer.email);
        }
        // The viewer still lives in this tenant and still logs in with the old password.
        await afterTokenCache();
        const me = await api('GET', '/api/v1/me', { token: u.viewer.token });
        assert.equal(me.status, 200, show(me));
        assert.equal(me.json.data.tenant.id, t.id);
        assert.equal(me.json.data.role, 'viewer');
        assert.ok(await session(t, u.viewer));
        // Duplicate keys cannot smuggle a second value either.
        const dup = await api('PATCH', `/api/v1/users/${u.viewer.id}`, {
            token: t.adminToken, body: '{"role":"viewer","role":"admin"}', headers: { 'content-type': 'application/json' },
        });
        assertError(dup, 400, 'bad_json');
    });

    test('an admin cannot demote or disable themselves: 422', async () => {
        const id = t.admin.id;
        for (const [json, field] of [[{ role: 'agent' }, 'role'], [{ role: 'viewer' }, 'role'], [{ status: 'disabled' }, 'status']]) {
            const res = await api('PATCH', `/api/v1/users/${id}`, { token: t.adminToken, json });
            assertError(res, 422, 'validation_failed');
            assert.ok(res.json.error.fields[field], show(res));
        }
        await afterTokenCache();
        const me = await api('GET', '/api/v1/me', { token: t.adminToken });
        assert.equal(me.json.data.role, 'admin');
        // Renaming oneself (and "changing" to admin) is fine.
        const ok = await api('PATCH', `/api/v1/users/${id}`, { token: t.adminToken, json: { name: 'Boss', role: 'admin' } });
        assert.equal(ok.status, 200, show(ok));
        assert.equal(ok.json.data.name, 'Boss');
        assert.equal(ok.json.data.role, 'admin');
    });

    test('a disabled user loses token and session at once; enabling gives the token back', async () => {
        const p = newUser(t, 'agent');
        p.token = newToken(t, p.email);
        const jar = await session(t, p);
        const off = await api('PATCH', `/api/v1/users/${p.id}`, { token: t.adminToken, json: { status: 'disabled' } });
        assert.equal(off.status, 200, show(off));
        assert.equal(off.json.data.status, 'disabled');
        await afterTokenCache();
        for (let i = 0; i < 6; i++) {   // several workers: none may still let it in
            assertError(await api('GET', '/api/v1/me', { token: p.token }), 401, 'invalid_token');
        }
        const page = await request('GET', '/', { host: t.host, jar });
        assert.equal(page.status, 303, show(page));
        assert.equal((await login(t, p.email, p.password)).res.status, 401);
        const on = await api('PATCH', `/api/v1/users/${p.id}`, { token: t.adminToken, json: { status: 'active' } });
        assert.equal(on.status, 200, show(on));
        assert.equal((await api('GET', '/api/v1/me', { token: p.token })).status, 200);
        // The sessions ended with the disabling stay ended.
        assert.equal((await request('GET', '/', { host: t.host, jar })).status, 303);
    });
});

describe('users list paging', () => {
    let p;
    before(async () => {
        p = newTenant('page');
        await adminToken(p);
        p.users = [newUser(p, 'agent'), newUser(p, 'viewer'), newUser(p, 'manager')];
    });

    test('limit=1 gives next_cursor; following it gives the next user, to the end', async () => {
        const seen = [];
        let cursor = null;
        for (let page = 0; page < 10; page++) {
            const q = cursor === null ? '?limit=1' : `?limit=1&cursor=${encodeURIComponent(cursor)}`;
            const res = await api('GET', `/api/v1/users${q}`, { token: p.adminToken });
            assert.equal(res.status, 200, show(res));
            assert.equal(res.json.total, 4);
            assert.equal(res.json.data.length, 1, show(res));
            seen.push(res.json.data[0].id);
            cursor = res.json.next_cursor;
            if (cursor === null) {
                break;
            }
            assert.equal(typeof cursor, 'string');
        }
        assert.equal(seen.length, 4, `four pages: ${seen}`);
        assert.deepEqual([...seen].sort((a, b) => a - b), seen, 'in id order');
        assert.equal(new Set(seen).size, 4, 'no user twice');
        assert.deepEqual([...seen].sort(), [p.admin.id, ...p.users.map((x) => x.id)].sort());
    });

    test('the first page and its cursor', async () => {
        const first = await api('GET', '/api/v1/users?limit=1', { token: p.adminToken });
        assert.notEqual(first.json.next_cursor, null);
        const second = await api('GET', `/api/v1/users?limit=1&cursor=${first.json.next_cursor}`, { token: p.adminToken });
        assert.equal(second.status, 200);
        assert.ok(second.json.data[0].id > first.json.data[0].id);
        const two = await api('GET', '/api/v1/users?limit=2', { token: p.adminToken });
        assert.deepEqual(two.json.data.map((x) => x.id), [first.json.data[0].id, second.json.data[0].id]);
        const all = await api('GET', '/api/v1/users?limit=4', { token: p.adminToken });
        assert.equal(all.json.data.length, 4);
        assert.equal(all.json.next_cursor, null, 'no cursor when nothing follows');
        const max = await api('GET', '/api/v1/users?limit=500', { token: p.adminToken });
        assert.equal(max.status, 200, show(max));
    });

    test('limit=0, limit=501 and other bad limits: 422', async () => {
        for (const limit of ['0', '501', '-1', 'abc', '100000000000000000000']) {
            const res = await api('GET', `/api/v1/users?limit=${limit}`, { token: p.adminToken });
            assertError(res, 422, 'validation_failed');
            assert.ok(res.json.error.fields.limit, `limit=${limit}: ${show(res)}`);
        }
    });
});

test('no worker crashed while these tests ran', () => {
    assert.deepEqual(crashesSince(mark), []);
});
