// Coalesced rescoring: events name leads in rescore_pending, the tenant's
// single lead.rescore drain job scores them in batches and empties the table;
// the job runner's periodic safety drain picks up leads left waiting. Leads
// are made in MariaDB directly, signals through the API.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { adminToken, api, cli, newTenant, show, waitFor } from './_http.mjs';
import { createLead, leadRow, q } from './_lua.mjs';

let A;

const pending = (t) => q(`SELECT contact_id FROM rescore_pending WHERE tenant_id = ${t.id} ORDER BY contact_id`)
    .map((r) => Number(r[0]));
const history = (t, id) => q(`SELECT score FROM score_history WHERE tenant_id = ${t.id} AND contact_id = ${id}`)
    .map((r) => Number(r[0]));
const rescoreJobs = (t) => q(`SELECT id, status, COALESCE(once_key, '') FROM jobs WHERE tenant_id = ${t.id} AND kind = 'lead.rescore'`
    + ' ORDER BY id');

before(async () => {
    A = newTenant('rsc');
    await adminToken(A);
});

describe('coalesced rescoring', () => {
    test('many events for one lead wait once and make one history row per drain', async () => {
        const id = createLead(A, { email: 'many@example.com' });
        // A drain queued for later holds the tenant's once-key: the signals
        // below must neither queue another job nor score the lead themselves.
        q(`INSERT INTO jobs (tenant_id, kind, once_key, payload, run_at) VALUES (${A.id}, 'lead.rescore',
            'lead.rescore', '{"drain":true}', NOW() + INTERVAL 1 HOUR)`);
        const held = rescoreJobs(A);
        assert.equal(held.length, 1, JSON.stringify(held));
        for (let i = 0; i < 12; i++) {
            const res = await api('POST', '/api/v1/signals', { token: A.adminToken, json: { contact_id: id, kind: 'property_view' } });
            assert.equal(res.status, 201, show(res));
        }
        assert.deepEqual(pending(A), [id], 'the lead waits once');
        assert.deepEqual(rescoreJobs(A), held, 'no second drain was queued while one waits');
        assert.equal(leadRow(A, id).score, null, 'nothing scored before the drain runs');

        q(`UPDATE jobs SET run_at = NOW() WHERE id = ${held[0][0]}`);
        await waitFor(() => rescoreJobs(A).every((j) => j[1] === 'done'), { timeout: 20000, what: 'the drain' });
        const h = history(A, id);
        assert.equal(h.length, 1, `one history row for the drain, got ${JSON.stringify(h)}`);
        assert.equal(leadRow(A, id).score, h[0]);
        assert.deepEqual(pending(A), [], 'the drain empties the table');
        assert.equal(rescoreJobs(A)[0][2], '', 'the taken job gave its once-key back');

        // The next event queues the next drain: a second history row.
        const res = await api('POST', '/api/v1/signals', { token: A.adminToken, json: { contact_id: id, kind: 'reply' } });
        assert.equal(res.status, 201, show(res));
        await waitFor(() => history(A, id).length === 2, { timeout: 20000, what: 'the second drain' });
        await waitFor(() => pending(A).length === 0, { timeout: 20000, what: 'the table emptied again' });
        assert.equal(rescoreJobs(A).length, 2, JSON.stringify(rescoreJobs(A)));
    });

    test('a drain scores every waiting lead of the tenant in one run, deleted leads just leave', async () => {
        const ids = [createLead(A, { email: 'w1@example.com' }), createLead(A), createLead(A, { phone: '+34600000009' })];
        const gone = createLead(A);
        q(`UPDATE contacts SET deleted_at = NOW() WHERE tenant_id = ${A.id} AND id = ${gone}`);
        q(`INSERT INTO rescore_pending (tenant_id, contact_id) VALUES ${[...ids, gone].map((i) => `(${A.id}, ${i})`).join(', ')}`);
        q(`INSERT INTO jobs (tenant_id, kind, once_key, payload) VALUES (${A.id}, 'lead.rescore', 'lead.rescore', '{"drain":true}')`);
        await waitFor(() => pending(A).length === 0, { timeout: 20000, what: 'the drain' });
        for (const id of ids) {
            assert.equal(history(A, id).length, 1, `lead ${id} scored once`);
            assert.notEqual(leadRow(A, id).score, null);
        }
        assert.deepEqual(history(A, gone), [], 'a deleted lead is not scored');
    });

    test('a drain is background work: an ordinary job due later runs before it', async () => {
        // `first` has the lower id. An ordinary lead.rescore naming it (queued
        // later) runs first and drains both in id order; had the background
        // drain gone first, `second` would be scored before `first`.
        const first = createLead(A, { email: 'order1@example.com' });
        const second = createLead(A, { email: 'order2@example.com' });
        q(`INSERT INTO rescore_pending (tenant_id, contact_id) VALUES (${A.id}, ${second})`);
        q(`INSERT INTO jobs (tenant_id, kind, once_key, background, payload, run_at) VALUES
           (${A.id}, 'lead.rescore', 'lead.rescore', 1, '{"drain":true}', NOW() - INTERVAL 30 SECOND),
           (${A.id}, 'lead.rescore', NULL, 0, '{"lead_id":${first}}', NOW() - INTERVAL 10 SECOND)`);
        await waitFor(() => pending(A).length === 0 && rescoreJobs(A).every((j) => j[1] === 'done'),
            { timeout: 20000, what: 'both jobs' });
        const order = q(`SELECT contact_id FROM score_history WHERE tenant_id = ${A.id} AND contact_id IN
            (${first}, ${second}) ORDER BY id`).map((r) => Number(r[0]));
        assert.deepEqual(order, [first, second], 'the ordinary job ran first and drained both');
    });

    test('the periodic safety drain picks up a lead left waiting without a job', async () => {
        const id = createLead(A, { email: 'late@example.com' });
        q(`INSERT INTO rescore_pending (tenant_id, contact_id, created_at) VALUES (${A.id}, ${id}, NOW() - INTERVAL 5 MINUTE)`);
        assert.ok(rescoreJobs(A).every((j) => j[1] === 'done'), 'no drain queued');
        // A fresh runner (the CLI's) runs its periodic hooks on its first pass.
        cli('jobs', 'run');
        await waitFor(() => pending(A).length === 0, { timeout: 20000, what: 'the safety drain' });
        assert.equal(history(A, id).length, 1);
    });
});
