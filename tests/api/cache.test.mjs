// The workers' response cache: list routes answer from it, and no write
// (API, another user, the CLI) is ever hidden behind a kept answer.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { adminToken, api, newTenant, newToken, newUser, rand, show } from './_http.mjs';
import { feed, feedImport, property, tmpFile } from '../../plugins/kyero/tests/_kyero.mjs';

let t, admin, agent;

before(async () => {
    t = newTenant('cache');
    admin = await adminToken(t);
    const u = newUser(t, 'agent');
    agent = newToken(t, u.email);
});

// Enough requests to reach every worker of the pool more than once.
const ROUNDS = 16;

async function leads(token, q) {
    const res = await api('GET', `/api/v1/leads?q=${encodeURIComponent(q)}`, { token });
    assert.equal(res.status, 200, show(res));
    return res;
}

async function createLead(token, first, extra = {}) {
    const res = await api('POST', '/api/v1/leads', {
        token, json: { first_name: first, last_name: 'Cachetest', type: 'buyer', ...extra },
    });
    assert.equal(res.status, 201, show(res));
    return res.json.data;
}

describe('response cache', () => {
    test('a repeated list answers from the cache, with the same body', async () => {
        const q = `Nobody${rand()}`;
        const first = await leads(admin, q);
        let hits = 0;
        for (let i = 0; i < ROUNDS; i++) {
            const res = await leads(admin, q);
            if (res.headers['x-tesoro-cache'] === 'hit') {
                hits++;
                assert.deepEqual(res.json, first.json);
            }
        }
        assert.ok(hits > 0, `no answer came from the cache in ${ROUNDS} requests`);
    });

    test('a create through the API shows in every worker at once', async () => {
        const name = `Fresh${rand()}`;
        for (let i = 0; i < ROUNDS; i++) {
            assert.equal((await leads(admin, name)).json.total, 0);
        }
        await createLead(admin, name);
        for (let i = 0; i < ROUNDS; i++) {
            const res = await leads(admin, name);
            assert.equal(res.json.total, 1, `request ${i} after the create: ${show(res)}`);
        }
    });

    test('an update and a delete show at once', async () => {
        const name = `Changing${rand()}`;
        const lead = await createLead(admin, name);
        for (let i = 0; i < ROUNDS; i++) {
            await leads(admin, name);
        }
        const renamed = `Renamed${rand()}`;
        const res = await api('PATCH', `/api/v1/leads/${lead.id}`, {
            token: admin, json: { first_name: renamed },
        });
        assert.equal(res.status, 200, show(res));
        for (let i = 0; i < ROUNDS; i++) {
            assert.equal((await leads(admin, name)).json.total, 0, `request ${i} after the rename`);
            assert.equal((await leads(admin, renamed)).json.total, 1);
        }
        const del = await api('DELETE', `/api/v1/leads/${lead.id}`, { token: admin });
        assert.ok(del.status === 200 || del.status === 204, show(del));
        for (let i = 0; i < ROUNDS; i++) {
            assert.equal((await leads(admin, renamed)).json.total, 0, `request ${i} after the delete`);
        }
    });

    test('one user never gets another user\'s kept answer', async () => {
        const name = `Private${rand()}`;
        const other = newUser(t, 'agent');
        await createLead(admin, name, { agent_id: other.id });
        // The admin sees the lead; the agent (own and unassigned leads only) does not.
        for (let i = 0; i < ROUNDS; i++) {
            assert.equal((await leads(admin, name)).json.total, 1);
            assert.equal((await leads(agent, name)).json.total, 0, `request ${i} as the agent`);
        }
    });

    test('a write made by the CLI invalidates the workers\' answers', async () => {
        // A feed imported with `tesoro feed import` (another process) adds a property.
        const town = `Cachetown${rand()}`;
        const list = async () => {
            const res = await api('GET', `/api/v1/properties?town=${town}`, { token: admin });
            assert.equal(res.status, 200, show(res));
            return res.json.total;
        };
        for (let i = 0; i < ROUNDS; i++) {
            assert.equal(await list(), 0);
        }
        const p = property({ id: '1', ref: `C-${rand()}`, town });
        const out = feedImport(t.slug, tmpFile(`cache-${rand()}.xml`, feed([p])));
        assert.equal(out.status, 0, out.stderr);
        assert.equal(out.report.created, 1, out.stdout);
        for (let i = 0; i < ROUNDS; i++) {
            assert.equal(await list(), 1, `request ${i} after the CLI import`);
        }
    });
});
