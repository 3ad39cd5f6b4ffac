// Lists: filters, sort allow-list, cursor paging, text search, role rules on
// lists, and saved views (?view=ID), personal or shared.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readConf, show } from '../../../tests/api/_http.mjs';
import { ownTags, world } from './_contacts.mjs';

let w;
const ids = {};
before(async () => {
    w = await world('list');
    const admin = w.as('admin');
    const rows = [
        ['Ana', 'Alonso', 'qualified', 'portal', 'hot', 'es', ['vip'], 20000000, 40000000, 'ana@alonso.example', '+34 611 000 001'],
        ['Bert', 'Bakker', 'qualified', 'website', 'hot', 'nl', ['vip', 'golf'], 50000000, 90000000, 'bert@bakker.example', '+31 6 1234 5678'],
        ['Carla', 'Costa', 'prospect', 'portal', 'cold', 'es', [], 10000000, 15000000, null, null],
        ['Dirk', 'Dekker', 'lost', 'referral', 'neutral', 'de', ['golf'], null, null, null, null],
        ['Eva', 'Evans', 'qualified', 'portal', 'hot', 'en', ['vip'], 30000000, 60000000, null, null],
    ];
    for (const [first_name, last_name, status, source, stage, language, tags, budget_min, budget_max, email, phone] of rows) {
        const r = await admin.post('/api/v1/leads', { first_name, last_name, status, source, stage, language, tags,
            email, phone, preferences: { budget_min, budget_max } });
        assert.equal(r.status, 201, show(r));
        ids[first_name] = r.json.data.id;
    }
    const a = await w.as('agent').post('/api/v1/leads', { first_name: 'Agent', last_name: 'Owned', status: 'qualified' });
    ids.Agent = a.json.data.id;
});

const names = (r) => r.json.data.map((x) => x.first_name);

test('filters combine, and the total counts every match', async () => {
    const admin = w.as('admin');
    let r = await admin.get('/api/v1/leads?status=qualified&source=portal&stage=hot&sort=last_name');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(names(r), ['Ana', 'Eva']);
    assert.equal(r.json.total, 2);
    r = await admin.get('/api/v1/leads?tag=golf&sort=last_name');
    assert.deepEqual(names(r), ['Bert', 'Dirk']);
    assert.deepEqual(ownTags(r.json.data[0].tags), ['golf', 'vip']);
    r = await admin.get('/api/v1/leads?language=es,nl&sort=-last_name');
    assert.deepEqual(names(r), ['Carla', 'Bert', 'Ana']);
    r = await admin.get('/api/v1/leads?budget_from=45000000&budget_to=70000000&sort=last_name');
    assert.deepEqual(names(r), ['Bert', 'Eva']);
    r = await admin.get(`/api/v1/leads?agent_id=${w.users.agent.id}`);
    assert.deepEqual(names(r), ['Agent']);
    const today = new Date().toISOString().slice(0, 10);
    r = await admin.get(`/api/v1/leads?created_from=${today}&created_to=${today}`);
    assert.equal(r.json.total, 6);
    r = await admin.get('/api/v1/leads?created_to=2000-01-01');
    assert.equal(r.json.total, 0);
});

test('bad filters, sorts and limits answer 422 naming the parameter', async () => {
    const admin = w.as('admin');
    for (const [q, field] of [['status=maybe', 'status'], ['sort=password_hash', 'sort'], ['limit=0', 'limit'],
        ['limit=501', 'limit'], ['created_from=yesterday', 'created_from'], ['score_min=-1', 'score_min'],
        ['agent_id=1;DROP', 'agent_id'], ['cursor=zzz', 'cursor'], ['cursor=5.ff00', 'cursor'], ['cursor=5.c328', 'cursor'],
        ['sort=-name', 'sort'], ['q=%C3%28', 'q']]) {
        const r = await admin.get(`/api/v1/leads?${q}`);
        assert.equal(r.status, 422, `${q}: ${show(r)}`);
        assert.ok(r.json.error.fields[field], `${q} names ${field}: ${JSON.stringify(r.json.error.fields)}`);
    }
});

test('cursor paging walks every row once, in order', async () => {
    const admin = w.as('admin');
    const seen = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
        const r = await admin.get(`/api/v1/leads?sort=last_name&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.total, 6);
        seen.push(...names(r));
        if (!r.json.next_cursor) {
            break;
        }
        cursor = encodeURIComponent(r.json.next_cursor);
    }
    assert.deepEqual(seen, ['Ana', 'Bert', 'Carla', 'Dirk', 'Eva', 'Agent'], 'by last name: Owned is last');
    const down = [];
    cursor = '';
    for (let i = 0; i < 10; i++) {
        const r = await admin.get(`/api/v1/leads?sort=-created_at&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
        down.push(...r.json.data.map((x) => x.id));
        if (!r.json.next_cursor) {
            break;
        }
        cursor = encodeURIComponent(r.json.next_cursor);
    }
    assert.equal(new Set(down).size, 6);
    assert.deepEqual(down, [...down].sort((a, b) => b - a), 'same second: newest id first');
});

test('q searches names, emails and phones', async () => {
    const admin = w.as('admin');
    assert.deepEqual(names(await admin.get('/api/v1/leads?q=bakk')), ['Bert']);
    assert.deepEqual(names(await admin.get('/api/v1/leads?q=ana%40alonso')), ['Ana']);
    assert.deepEqual(names(await admin.get('/api/v1/leads?q=612345678')), ['Bert']);
    assert.deepEqual(names(await admin.get('/api/v1/leads?q=Ev')), ['Eva']);
    assert.deepEqual(names(await admin.get('/api/v1/leads?q=carla%20cos')), ['Carla']);
    assert.equal((await admin.get('/api/v1/leads?q=%2B%2B%2B*')).status, 200, 'operators are not syntax');
});

test('an agent lists their own and unassigned leads only', async () => {
    const r = await w.as('agent').get('/api/v1/leads');
    assert.deepEqual(names(r), ['Agent']);
    assert.equal(r.json.total, 1);
    assert.equal((await w.as('viewer').get('/api/v1/leads')).json.total, 6);
});

test('saved views: filters, columns and sort, personal or shared, used with ?view=ID', async () => {
    const agent = w.as('agent'), admin = w.as('admin');
    const bad = await admin.post('/api/v1/views', { list: 'leads', name: 'x', filters: { status: 'maybe', colour: 'red' }, sort: 'nope' });
    assert.equal(bad.status, 422, show(bad));
    assert.ok(bad.json.error.fields['filters.status']);
    assert.ok(bad.json.error.fields['filters.colour']);
    const v = await admin.post('/api/v1/views', { list: 'leads', name: 'Hot portal leads', shared: false,
        filters: { status: 'qualified', source: ['portal'], stage: 'hot' }, columns: ['first_name', 'score'], sort: '-last_name' });
    assert.equal(v.status, 201, show(v));
    assert.deepEqual(v.json.data.filters.source, ['portal']);
    const r = await admin.get(`/api/v1/leads?view=${v.json.data.id}`);
    assert.deepEqual(names(r), ['Eva', 'Ana']);
    const over = await admin.get(`/api/v1/leads?view=${v.json.data.id}&sort=last_name`);
    assert.deepEqual(names(over), ['Ana', 'Eva'], 'the query overrides the view');
    assert.equal((await agent.get(`/api/v1/leads?view=${v.json.data.id}`)).status, 404, 'personal views are personal');
    assert.equal((await agent.get(`/api/v1/views/${v.json.data.id}`)).status, 404);
    const p = await admin.patch(`/api/v1/views/${v.json.data.id}`, { shared: true, name: 'Team: hot portal' });
    assert.equal(p.status, 200, show(p));
    assert.equal(p.json.data.shared, true);
    assert.equal((await agent.get(`/api/v1/leads?view=${v.json.data.id}`)).status, 200);
    const list = await agent.get('/api/v1/views?list=leads');
    assert.ok(list.json.data.some((x) => x.id === v.json.data.id && x.name === 'Team: hot portal'));
    assert.equal((await agent.patch(`/api/v1/views/${v.json.data.id}`, { name: 'mine now' })).status, 404);
    assert.equal((await admin.get(`/api/v1/contacts?view=${v.json.data.id}`)).status, 404, 'a view belongs to its list');
    const generic = await agent.post('/api/v1/views', { list: 'properties', name: 'Villas', filters: { type: 'villa' } });
    assert.equal(generic.status, 201, 'other lists keep their own filters');
    assert.equal((await admin.del(`/api/v1/views/${v.json.data.id}`)).status, 204);
    assert.equal((await admin.get(`/api/v1/leads?view=${v.json.data.id}`)).status, 404);
});

test('the score (set by the scoring script) gives the temperature, and filters the list', async () => {
    const db = readConf()['db:main'];
    const sql = (q) => execFileSync('mariadb', [`--socket=${db.socket}`, `-u${db.user || 'root'}`,
        '-N', db.database, '-e', q]).toString().trim();
    // The default scorer rates new leads in the background: let it finish
    // first, so the scores set here are the ones read back.
    const tenant = Number(sql(`SELECT tenant_id FROM contacts WHERE id = ${Number(ids.Ana)}`));
    for (let i = 0; i < 100 && sql(`SELECT COUNT(*) FROM jobs WHERE tenant_id = ${tenant}
        AND kind = 'lead.rescore' AND status IN ('queued', 'running')`) !== '0'; i++) {
        await new Promise((ok) => setTimeout(ok, 100));
    }
    const scores = { Ana: 85, Bert: 50, Carla: 49 };
    sql(`UPDATE contacts SET score = NULL WHERE tenant_id = ${tenant}`);
    for (const [name, score] of Object.entries(scores)) {
        sql(`UPDATE contacts SET score = ${score} WHERE id = ${Number(ids[name])}`);
    }
    const admin = w.as('admin');
    assert.equal((await admin.get(`/api/v1/leads/${ids.Ana}`)).json.data.temperature, 'hot');
    assert.equal((await admin.get(`/api/v1/leads/${ids.Dirk}`)).json.data.temperature, null);
    const r = await admin.get('/api/v1/leads?score_min=49&score_max=84&sort=-score');
    assert.deepEqual(r.json.data.map((x) => [x.first_name, x.temperature]), [['Bert', 'warm'], ['Carla', 'cold']]);
});
