// Tenant isolation: a token picks its tenant, another tenant's records answer
// 404, Host picks the tenant of pages, plugins and tenants can be switched off.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
    adminToken, api, cli, crashesSince, logMark, newTenant, newToken, newUser, rand, request,
    session, show, sleep, TENANT_CACHE_MS,
} from './_http.mjs';

const mark = logMark();
let A, B;

before(async () => {
    A = newTenant('ta');
    B = newTenant('tb');
    await adminToken(A);
    await adminToken(B);
    A.agent = newUser(A, 'agent');
    A.agent.token = newToken(A, A.agent.email);
    B.viewer = newUser(B, 'viewer', { name: 'B viewer' });
    B.viewer.token = newToken(B, B.viewer.email);
});

/** Waits out every worker's tenant cache after a change made with the CLI. */
const afterTenantCache = () => sleep(TENANT_CACHE_MS + 700);

/** Several requests, so that every worker (each has its own cache) is asked. */
async function every(n, fn) {
    const out = [];
    for (let i = 0; i < n; i++) {
        out.push(await fn());
    }
    return out;
}

describe('records of another tenant', () => {
    test("A's admin token on B's user ids: 404, exactly like an id that does not exist", async () => {
        const missing = await api('GET', '/api/v1/users/99999999', { token: A.adminToken });
        assert.equal(missing.status, 404, show(missing));
        for (const id of [B.admin.id, B.viewer.id]) {
            const res = await api('GET', `/api/v1/users/${id}`, { token: A.adminToken });
            assert.equal(res.status, 404, show(res));
            assert.deepEqual(res.json, missing.json);
            assert.ok(!res.text.includes(B.slug) && !res.text.includes('B viewer'));
        }
    });

    test("A's admin token cannot change B's users: 404 and nothing changes", async () => {
        const res = await api('PATCH', `/api/v1/users/${B.viewer.id}`, {
            token: A.adminToken, json: { name: 'pwned', role: 'admin' },
        });
        assert.equal(res.status, 404, show(res));
        assert.equal(res.json.error.code, 'not_found');
        const v = await api('GET', `/api/v1/users/${B.viewer.id}`, { token: B.adminToken });
        assert.equal(v.json.data.name, 'B viewer');
        assert.equal(v.json.data.role, 'viewer');
    });

    test("A's non-admin token on B's user id: 404 too (never 403)", async () => {
        const res = await api('GET', `/api/v1/users/${B.viewer.id}`, { token: A.agent.token });
        assert.equal(res.status, 404, show(res));
    });

    test("the users list of A holds only A's users", async () => {
        const res = await api('GET', '/api/v1/users?limit=500', { token: A.adminToken });
        assert.equal(res.status, 200, show(res));
        assert.equal(res.json.total, 2);
        for (const x of res.json.data) {
            assert.ok(x.email.endsWith(`@${A.slug}.test`), x.email);
        }
    });

    test("an invitation cannot be aimed at another tenant", async () => {
        const email = `cross-${rand()}@${A.slug}.test`;
        const res = await api('POST', '/api/v1/users/invite', {
            token: A.adminToken, json: { email, role: 'viewer', tenant_id: B.id, tenant: B.slug },
        });
        assert.ok(res.status === 201 || res.status === 422, show(res));
        const inB = await api('GET', '/api/v1/users?limit=500', { token: B.adminToken });
        assert.ok(!inB.json.data.some((x) => x.email === email), 'nobody was added to B');
        if (res.status === 201) {
            const inA = await api('GET', `/api/v1/users/${res.json.data.id}`, { token: A.adminToken });
            assert.equal(inA.status, 200, show(inA));
            assert.equal(inA.json.data.email, email);
        }
    });

    test("guestbook entries stay in their tenant", async () => {
        const message = `only-in-A ${rand()}`;
        const res = await api('POST', '/api/v1/hello/guestbook', { token: A.agent.token, json: { message } });
        assert.equal(res.status, 201, show(res));
        const inB = await api('GET', '/api/v1/hello/guestbook', { token: B.viewer.token });
        assert.equal(inB.status, 200);
        assert.ok(!inB.json.data.some((e) => e.message === message || e.id === res.json.data.id));
        const inA = await api('GET', '/api/v1/hello/guestbook', { token: A.adminToken });
        assert.ok(inA.json.data.some((e) => e.id === res.json.data.id));
    });
});

describe('which tenant answers', () => {
    test("A's token with B's Host header still acts as A", async () => {
        const me = await api('GET', '/api/v1/me', { token: A.adminToken, host: B.host });
        assert.equal(me.status, 200, show(me));
        assert.equal(me.json.data.tenant.id, A.id);
        assert.equal(me.json.data.tenant.slug, A.slug);
        assert.equal(me.json.data.user.email, A.admin.email);
        const users = await api('GET', '/api/v1/users', { token: A.adminToken, host: B.host });
        assert.equal(users.status, 200);
        assert.ok(users.json.data.every((x) => x.email.endsWith(`@${A.slug}.test`)));
        const other = await api('GET', `/api/v1/users/${B.viewer.id}`, { token: A.adminToken, host: B.host });
        assert.equal(other.status, 404, show(other));
        // A write lands in A, not in the tenant of the Host.
        const message = `host-B-token-A ${rand()}`;
        const sign = await api('POST', '/api/v1/hello/guestbook', { token: A.agent.token, host: B.host, json: { message } });
        assert.equal(sign.status, 201, show(sign));
        const inB = await api('GET', '/api/v1/hello/guestbook', { token: B.adminToken });
        assert.ok(!inB.json.data.some((e) => e.message === message));
        const inA = await api('GET', '/api/v1/hello/guestbook', { token: A.adminToken });
        assert.ok(inA.json.data.some((e) => e.message === message));
    });

    test("A's session cookie means nothing on B's host", async () => {
        const jar = await session(A, A.admin);
        assert.equal((await request('GET', '/', { host: A.host, jar })).status, 200);
        const page = await request('GET', '/', { host: B.host, jar });
        assert.equal(page.status, 303, show(page));
        assert.match(page.headers.location, /^\/login/);
        const me = await api('GET', '/api/v1/me', { host: B.host, jar });
        assert.equal(me.status, 401, show(me));
        const outbox = await request('GET', '/settings/outbox', { host: B.host, jar });
        assert.equal(outbox.status, 303, show(outbox));
    });

    test('the Host picks the tenant of a page, whatever its case', async () => {
        for (const [t, host] of [[A, A.host], [B, B.host], [A, A.host.toUpperCase()]]) {
            const res = await request('GET', '/login', { host });
            assert.equal(res.status, 200, show(res));
            assert.match(res.text, new RegExp(`<title>Log in · ${t.slug}</title>`));
        }
    });

    test('an unknown Host: 404 unknown_tenant', async () => {
        const host = `nobody-${rand()}.localhost`;
        const page = await request('GET', '/login', { host });
        assert.equal(page.status, 404, show(page));
        assert.match(page.headers['content-type'], /^text\/html/);
        assert.match(page.text, /no agency answers at this address/);
        const dash = await request('GET', '/', { host });
        assert.equal(dash.status, 404, show(dash));
        const json = await api('GET', '/api/v1/me', { host });
        assert.equal(json.status, 404, show(json));
        assert.deepEqual(json.json, {
            error: { code: 'unknown_tenant', message: 'no agency answers at this address' },
        });
        // A tenant's slug is not a host.
        assert.equal((await request('GET', '/login', { host: A.slug })).status, 404);
        // Logging in on an unknown host is not possible either.
        const post = await request('POST', '/login', { host, form: { email: A.admin.email, password: A.admin.password } });
        assert.equal(post.status, 404, show(post));
    });
});

describe('switching plugins and tenants off', () => {
    test('plugin disable hello for A: 404 for A, 200 for B; enable brings it back', async () => {
        const C = newTenant('tplug');
        await adminToken(C);
        assert.equal((await api('GET', '/api/v1/hello', { token: C.adminToken })).status, 200);
        try {
            cli('plugin', 'disable', 'hello', '--tenant', C.slug);
            await afterTenantCache();
            for (const res of await every(8, () => api('GET', '/api/v1/hello', { token: C.adminToken }))) {
                assert.equal(res.status, 404, show(res));
                assert.equal(res.json.error.code, 'not_found');
            }
            const gb = await api('GET', '/api/v1/hello/guestbook', { token: C.adminToken });
            assert.equal(gb.status, 404, show(gb));
            const count = await api('GET', '/api/v1/hello/count', { token: C.adminToken });
            assert.equal(count.status, 404, show(count));
            const sign = await api('POST', '/api/v1/hello/guestbook', { token: C.adminToken, json: { message: 'off' } });
            assert.equal(sign.status, 404, show(sign));
            // The core goes on, and other tenants keep the plugin.
            assert.equal((await api('GET', '/api/v1/me', { token: C.adminToken })).status, 200);
            for (const res of await every(4, () => api('GET', '/api/v1/hello', { token: B.viewer.token }))) {
                assert.equal(res.status, 200, show(res));
            }
        } finally {
            cli('plugin', 'enable', 'hello', '--tenant', C.slug);
        }
        await afterTenantCache();
        for (const res of await every(8, () => api('GET', '/api/v1/hello', { token: C.adminToken }))) {
            assert.equal(res.status, 200, show(res));
            assert.equal(res.json.data.tenant, C.slug);
        }
    });

    test('tenant disable: its tokens answer 401 and its pages 404; enable restores both', async () => {
        const D = newTenant('tdis');
        await adminToken(D);
        const jar = await session(D, D.admin);
        assert.equal((await request('GET', '/', { host: D.host, jar })).status, 200);
        try {
            cli('tenant', 'disable', D.slug);
            const listed = JSON.parse(cli('--json', 'tenant', 'list')).find((x) => x.slug === D.slug);
            assert.equal(listed.status, 'disabled');
            await afterTenantCache();
            for (const res of await every(8, () => api('GET', '/api/v1/me', { token: D.adminToken }))) {
                assert.equal(res.status, 401, show(res));
                assert.equal(res.json.error.code, 'invalid_token');
            }
            for (const path of ['/login', '/']) {
                const res = await request('GET', path, { host: D.host, jar });
                assert.equal(res.status, 404, `${path}: ${show(res)}`);
            }
            const li = await request('POST', '/login', { host: D.host, form: { email: D.admin.email, password: D.admin.password } });
            assert.equal(li.status, 404, show(li));
            // Other tenants are not affected.
            assert.equal((await api('GET', '/api/v1/me', { token: A.adminToken })).status, 200);
            assert.equal((await request('GET', '/login', { host: A.host })).status, 200);
        } finally {
            cli('tenant', 'enable', D.slug);
        }
        await afterTenantCache();
        for (const res of await every(8, () => api('GET', '/api/v1/me', { token: D.adminToken }))) {
            assert.equal(res.status, 200, show(res));
        }
        assert.equal((await request('GET', '/', { host: D.host, jar })).status, 200, 'the session survived');
    });
});

test('no worker crashed while these tests ran', () => {
    assert.deepEqual(crashesSince(mark), []);
});
