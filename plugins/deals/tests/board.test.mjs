// The deals board, list filters, saved views, cursor paging and batch
// updates against the running stack.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { show } from '../../../tests/api/_http.mjs';
import { agency, db, dealBody, person } from './_deals.mjs';

let A;
const made = [];

async function deal(role, extra) {
    const r = await A.as(role)('POST', '/api/v1/deals', dealBody(A.t, extra));
    assert.equal(r.status, 201, show(r));
    made.push(r.json.data);
    return r.json.data;
}

before(async () => {
    A = await agency('board');
    // buyer: 3 in first_visit (100k, 200k, 300k), 1 offer (1M, agent2), 1 won; owner: 2 mandate
    for (const v of [10000000, 20000000, 30000000]) {
        await deal('agent', { value: v, stage: 'first_visit', tags: ['spring'] });
    }
    await deal('manager', { value: 100000000, stage: 'offer', agent_id: A.users.agent2.id, expected_close_date: '2027-03-01' });
    await deal('agent', { value: 5000000, stage: 'won', type: 'rent' });
    await deal('agent', { type: 'sell', value: 7000000 });
    await deal('agent', { type: 'rent_out', value: 1000000 });
});

describe('board', () => {
    test('columns in pipeline order with counts, sums and cards', async () => {
        const r = await A.as('viewer')('GET', '/api/v1/deals/board?pipeline=buyer');
        assert.equal(r.status, 200, show(r));
        const cols = r.json.data.columns;
        assert.deepEqual(cols.map((c) => c.stage), ['knowing_property', 'first_visit', 'multiple_visits', 'offer',
            'reservation', 'contract_10', 'signing_deed', 'won', 'lost']);
        const by = Object.fromEntries(cols.map((c) => [c.stage, c]));
        assert.equal(by.first_visit.count, 3);
        assert.equal(by.first_visit.value, 60000000);
        assert.equal(by.first_visit.weighted_value, 12000000, '20% of 600k');
        assert.equal(by.first_visit.cards.length, 3);
        // a card carries what the board shows of it, nothing repeated from its column
        const newest = made.filter((d) => d.stage === 'first_visit').at(-1);
        assert.deepEqual(by.first_visit.cards[0], { id: newest.id, ref: newest.ref, name: 'Villa in Jávea',
            value: 30000000, currency: 'EUR', main_contact_name: 'Ana García' });
        assert.equal(by.offer.count, 1);
        assert.equal(by.offer.value, 100000000);
        assert.equal(by.won.count, 1);
        assert.equal(by.won.closed, true);
        assert.equal(by.knowing_property.count, 0);
        assert.deepEqual(by.knowing_property.cards, []);
        const owner = await A.as('viewer')('GET', '/api/v1/deals/board?pipeline=owner');
        assert.deepEqual(owner.json.data.columns.map((c) => c.stage),
            ['mandate', 'online', 'visits', 'offer', 'reservation', 'deposit', 'won', 'lost']);
        assert.equal(owner.json.data.columns[0].count, 2);
        assert.equal(owner.json.data.columns[0].value, 8000000);
    });

    test('agent=me and limit narrow the board; a bad pipeline names the field', async () => {
        const mine = await A.as('agent2')('GET', '/api/v1/deals/board?pipeline=buyer&agent=me');
        const counts = mine.json.data.columns.map((c) => c.count);
        assert.deepEqual(counts, [0, 0, 0, 1, 0, 0, 0, 0, 0]);
        const one = await A.as('agent')('GET', '/api/v1/deals/board?pipeline=buyer&limit=1');
        const fv = one.json.data.columns.find((c) => c.stage === 'first_visit');
        assert.equal(fv.cards.length, 1);
        assert.equal(fv.count, 3, 'counts cover every deal, not only the cards shown');
        const bad = await A.as('agent')('GET', '/api/v1/deals/board?pipeline=sales');
        assert.equal(bad.status, 422);
        assert.ok(bad.json.error.fields.pipeline);
    });
});

describe('list', () => {
    test('filters: pipeline, stage, type, agent, value range, close range, status, tag, q', async () => {
        const ids = async (q) => {
            const r = await A.as('viewer')('GET', `/api/v1/deals?${q}`);
            assert.equal(r.status, 200, `${q}: ${show(r)}`);
            return r.json.data.map((d) => d.id).sort((a, b) => a - b);
        };
        const sorted = (list) => list.map((d) => d.id).sort((a, b) => a - b);
        assert.deepEqual(await ids('pipeline=owner'), sorted(made.filter((d) => d.pipeline === 'owner')));
        assert.deepEqual(await ids('stage=first_visit,offer'), sorted(made.filter((d) => ['first_visit', 'offer'].includes(d.stage))));
        assert.deepEqual(await ids('type=rent,rent_out'), sorted(made.filter((d) => ['rent', 'rent_out'].includes(d.type))));
        assert.deepEqual(await ids(`agent=${A.users.agent2.id}`), [made[3].id]);
        assert.deepEqual(await ids('value_min=15000000&value_max=30000000'), [made[1].id, made[2].id]);
        assert.deepEqual(await ids('close_from=2027-01-01&close_to=2027-12-31'), [made[3].id]);
        assert.deepEqual(await ids('status=closed'), [made[4].id]);
        assert.equal((await ids('status=open')).length, 6);
        assert.deepEqual(await ids('tag=spring'), sorted(made.slice(0, 3)));
        assert.deepEqual(await ids(`q=${encodeURIComponent(made[5].ref)}`), [made[5].id]);
        assert.equal((await ids('q=Villa%20in%20J%C3%A1vea')).length, 7);
        assert.deepEqual(await ids(`contact=${made[0].contacts[0].id}`), [made[0].id]);
    });

    test('bad filters are refused by name', async () => {
        const r = await A.as('viewer')('GET', '/api/v1/deals?stage=nowhere&value_min=abc&sort=password&limit=0&close_to=2027-02-30');
        assert.equal(r.status, 422);
        for (const f of ['stage', 'value_min', 'sort', 'limit', 'close_to']) {
            assert.ok(r.json.error.fields[f], f);
        }
        const c = await A.as('viewer')('GET', '/api/v1/deals?cursor=1.zz');
        assert.equal(c.status, 422);
        assert.ok(c.json.error.fields.cursor);
    });

    test('cursor paging walks every deal once in the chosen order', async () => {
        for (const sort of ['-id', 'value', '-name', 'expected_close_date']) {
            const seen = [];
            let cursor = '';
            let total;
            for (let page = 0; page < 10; page++) {
                const r = await A.as('viewer')('GET', `/api/v1/deals?limit=2&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`);
                assert.equal(r.status, 200, show(r));
                total = r.json.total;
                seen.push(...r.json.data);
                if (!r.json.next_cursor) {
                    break;
                }
                cursor = encodeURIComponent(r.json.next_cursor);
            }
            assert.equal(total, 7);
            assert.equal(new Set(seen.map((d) => d.id)).size, 7, `${sort}: every deal once`);
            if (sort === 'value') {
                const values = seen.map((d) => d.value);
                assert.deepEqual(values, [...values].sort((a, b) => a - b));
            }
        }
    });

    test('?view=ID applies a saved view; the query overrides it; others\' private views are refused', async () => {
        db(`INSERT INTO saved_views (tenant_id, list, name, owner_id, shared, filters, sort)
            VALUES (${A.t.id}, 'deals', 'Spring', ${A.users.agent.id}, 0, '{"tag":"spring","stage":["first_visit"]}', 'value')`);
        const id = Number(db(`SELECT MAX(id) FROM saved_views WHERE tenant_id = ${A.t.id}`)[0][0]);
        const r = await A.as('agent')('GET', `/api/v1/deals?view=${id}`);
        assert.equal(r.status, 200, show(r));
        assert.deepEqual(r.json.data.map((d) => d.value), [10000000, 20000000, 30000000]);
        const o = await A.as('agent')('GET', `/api/v1/deals?view=${id}&value_min=25000000`);
        assert.deepEqual(o.json.data.map((d) => d.value), [30000000]);
        const other = await A.as('agent2')('GET', `/api/v1/deals?view=${id}`);
        assert.equal(other.status, 422, 'a private view of someone else');
        assert.ok(other.json.error.fields.view);
    });
});

describe('batch', () => {
    test('stage, agent and tags of many deals in one go, with history', async () => {
        const ids = made.slice(0, 3).map((d) => d.id);
        const r = await A.as('manager')('POST', '/api/v1/deals/batch',
            { ids, stage: 'multiple_visits', agent_id: A.users.agent2.id, tags_add: ['hot'], tags_remove: ['spring'] });
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.data.updated, 3);
        for (const id of ids) {
            const d = (await A.as('viewer')('GET', `/api/v1/deals/${id}`)).json.data;
            assert.equal(d.stage, 'multiple_visits');
            assert.equal(d.probability, 30);
            assert.equal(d.agent_id, A.users.agent2.id);
            assert.deepEqual(d.tags, ['hot']);
        }
        const h = db(`SELECT COUNT(*) FROM deal_stage_history WHERE tenant_id = ${A.t.id}
            AND to_stage = 'multiple_visits' AND deal_id IN (${ids.join(',')})`);
        assert.equal(h[0][0], '3');
    });

    test('one refused row refuses them all, naming the row', async () => {
        const before = db(`SELECT id, stage, agent_id FROM deals WHERE tenant_id = ${A.t.id} ORDER BY id`);
        const ids = [made[0].id, made[5].id, made[4].id];   // buyer, owner, closed buyer
        const r = await A.as('manager')('POST', '/api/v1/deals/batch', { ids, stage: 'contract_10', tags_add: ['x'] });
        assert.equal(r.status, 422);
        assert.match(r.json.error.fields['ids[1].stage'], /owner pipeline/);
        assert.match(r.json.error.fields['ids[2].stage'], /closed/);
        assert.deepEqual(db(`SELECT id, stage, agent_id FROM deals WHERE tenant_id = ${A.t.id} ORDER BY id`), before,
            'nothing changed');
        assert.equal(db(`SELECT COUNT(*) FROM tags WHERE tenant_id = ${A.t.id} AND tag = 'x'`)[0][0], '0');
        const lost = await A.as('manager')('POST', '/api/v1/deals/batch', { ids: [made[0].id], stage: 'lost' });
        assert.equal(lost.status, 422);
        assert.ok(lost.json.error.fields['ids[0].lost_reason']);
    });

    test('agents batch only their own deals', async () => {
        const r = await A.as('agent')('POST', '/api/v1/deals/batch', { ids: [made[5].id, made[3].id], tags_add: ['mine'] });
        assert.equal(r.status, 403, 'made[3] belongs to agent2');
        assert.equal(db(`SELECT COUNT(*) FROM tags WHERE tenant_id = ${A.t.id} AND tag = 'mine'`)[0][0], '0');
        const v = await A.as('viewer')('POST', '/api/v1/deals/batch', { ids: [made[5].id], tags_add: ['v'] });
        assert.equal(v.status, 403);
    });
});

describe('funnel', () => {
    test('managers see deals per stage, reach, conversion and won value per month', async () => {
        assert.equal((await A.as('agent')('GET', '/api/v1/deals/funnel?pipeline=buyer')).status, 403);
        const r = await A.as('manager')('GET', '/api/v1/deals/funnel?pipeline=buyer');
        assert.equal(r.status, 200, show(r));
        const by = Object.fromEntries(r.json.data.stages.map((s) => [s.stage, s]));
        // 5 buyer deals, each counted up to the furthest stage it entered:
        // 3 moved to multiple_visits by the batch, one at offer, one won
        assert.equal(by.knowing_property.reached, 5);
        assert.equal(by.multiple_visits.reached, 5);
        assert.equal(by.offer.reached, 2);
        assert.equal(by.multiple_visits.conversion, 0.4);
        assert.equal(by.won.reached, 1);
        assert.equal(by.won.conversion, null);
        assert.equal(by.multiple_visits.deals, 3);
        assert.equal(typeof by.first_visit.median_days, 'number');
        const month = new Date().toISOString().slice(0, 7);
        assert.deepEqual(r.json.data.won_by_month, [{ month, currency: 'EUR', deals: 1, value: 5000000 }]);
    });
});
