// The board's counts and sums come from deal_stage_totals, which triggers keep
// in step with every write to deals; this drives every kind of write and
// compares the table with a count over the deals themselves, then shows that
// `tesoro deals totals-rebuild` repairs a damaged table.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cliJson, show } from '../../../tests/api/_http.mjs';
import { agency, db, dealBody } from './_deals.mjs';

let A;

/** The totals as stored, and as a GROUP BY over the live deals computes them. */
function totals() {
    const t = Number(A.t.id);
    const stored = db(`SELECT pipeline, stage, agent_key, currency, n, total, weighted FROM deal_stage_totals
        WHERE tenant_id = ${t} AND n <> 0 ORDER BY pipeline, stage, agent_key, currency`);
    const counted = db(`SELECT pipeline, stage, IFNULL(agent_id, 0), currency, COUNT(*), SUM(value),
        SUM(CAST(value AS DECIMAL(38,0)) * probability) FROM deals
        WHERE tenant_id = ${t} AND deleted_at IS NULL
        GROUP BY pipeline, stage, IFNULL(agent_id, 0), currency
        ORDER BY pipeline, stage, IFNULL(agent_id, 0), currency`);
    return { stored, counted };
}

function assertExact(what) {
    const { stored, counted } = totals();
    assert.deepEqual(stored, counted, what);
}

async function ok(r, status = 200) {
    assert.equal(r.status, status, show(r));
    return r.json?.data;
}

before(async () => {
    A = await agency('totals');
});

describe('board totals', () => {
    test('stay exact through create, edit, move, batch and delete', async () => {
        const agent = A.as('agent');
        const ids = [];
        for (const [type, value, stage] of [['buy', 10000000, 'first_visit'], ['buy', 20000000, 'first_visit'],
            ['rent', 3000000, 'offer'], ['sell', 50000000, undefined], ['rent_out', 900000, undefined]]) {
            ids.push((await ok(await agent('POST', '/api/v1/deals', dealBody(A.t, { type, value, stage })), 201)).id);
        }
        assertExact('after creates');
        await ok(await agent('PATCH', `/api/v1/deals/${ids[0]}`, { value: 12345678, probability: 33 }));
        assertExact('after a value and probability edit');
        await ok(await agent('PATCH', `/api/v1/deals/${ids[0]}`, { name: 'Renamed only' }));
        assertExact('after an edit of an uncounted column');
        await ok(await agent('PATCH', `/api/v1/deals/${ids[1]}`, { stage: 'offer' }));
        await ok(await agent('PATCH', `/api/v1/deals/${ids[2]}`, { stage: 'lost', lost_reason: 'Chose another flat' }));
        assertExact('after moves');
        await ok(await agent('PATCH', `/api/v1/deals/${ids[3]}`, { type: 'rent_out', value: 51000000 }));
        assertExact('after a type and value change');
        await ok(await A.as('manager')('POST', '/api/v1/deals/batch',
            { ids: [ids[0], ids[1]], stage: 'reservation', agent_id: A.users.agent2.id }));
        assertExact('after a batch move and reassignment');
        await ok(await A.as('manager')('DELETE', `/api/v1/deals/${ids[4]}`), 204);
        assertExact('after a soft delete');

        const board = await ok(await A.as('viewer')('GET', '/api/v1/deals/board?pipeline=buyer'));
        const res = board.columns.find((c) => c.stage === 'reservation');
        assert.equal(res.count, 2);
        assert.equal(res.value, 12345678 + 20000000);
        assert.equal(res.cards.length, 2);
        const mine = await ok(await A.as('agent2')('GET', '/api/v1/deals/board?pipeline=buyer&agent=me'));
        assert.deepEqual(mine.columns.map((c) => c.count), [0, 0, 0, 0, 2, 0, 0, 0, 0]);
        const owner = await ok(await A.as('viewer')('GET', '/api/v1/deals/board?pipeline=owner'));
        assert.equal(owner.columns.reduce((s, c) => s + c.count, 0), 1, 'the deleted deal is gone');
        assert.equal(owner.columns[0].value, 51000000);
    });

    test('are kept and answered per currency', async () => {
        const agent = A.as('agent');
        const eur = (await ok(await agent('POST', '/api/v1/deals',
            dealBody(A.t, { value: 10000000, stage: 'signing_deed' })), 201)).id;
        const gbp = (await ok(await agent('POST', '/api/v1/deals',
            dealBody(A.t, { value: 7000000, currency: 'GBP', stage: 'signing_deed' })), 201)).id;
        assertExact('after creates in two currencies');
        const col = async () => (await ok(await A.as('viewer')('GET', '/api/v1/deals/board?pipeline=buyer')))
            .columns.find((c) => c.stage === 'signing_deed');
        let c = await col();
        assert.equal(c.count, 2);
        assert.equal(c.value, 10000000, 'value is the main currency only');
        assert.deepEqual(c.sums.map((x) => [x.currency, x.count, x.value]),
            [['EUR', 1, 10000000], ['GBP', 1, 7000000]]);
        await ok(await agent('PATCH', `/api/v1/deals/${eur}`, { currency: 'GBP' }));
        assertExact('after a currency edit');
        c = await col();
        assert.equal(c.value, 0);
        assert.deepEqual(c.sums.map((x) => [x.currency, x.count, x.value]), [['GBP', 2, 17000000]]);
        await ok(await agent('PATCH', `/api/v1/deals/${gbp}`, { stage: 'won' }));
        await ok(await A.as('manager')('DELETE', `/api/v1/deals/${eur}`), 204);
        assertExact('after a move and a delete');
        c = await col();
        assert.equal(c.count, 0);
        assert.deepEqual(c.sums, []);
    });

    test('totals-rebuild repairs a damaged table', async () => {
        const t = Number(A.t.id);
        db(`UPDATE deal_stage_totals SET n = n + 7, total = 1 WHERE tenant_id = ${t}`);
        const { stored, counted } = totals();
        assert.notDeepEqual(stored, counted, 'the damage shows');
        const out = cliJson('deals', 'totals-rebuild', '--tenant', A.t.slug);
        assert.equal(out.rebuilt, true);
        assertExact('after the rebuild');
    });
});
