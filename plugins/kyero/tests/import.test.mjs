// Kyero v3 import through `tesoro feed import`: mapping of the portal's sample, upserts,
// unchanged dates, withdrawals, rejections, adoption, conflicts, bad documents, kill -9.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CLI, CONF, api, sleep, waitFor } from '../../../tests/api/_http.mjs';
import { SAMPLE, feed, feedImport, feedListings, property, q, sql, sqlValue, tenantWithToken,
    tmpFile } from './_kyero.mjs';

let t;
before(async () => {
    t = await tenantWithToken('kyimp');
});

test('the Kyero sample maps every element into the listing', () => {
    const r = feedImport(t.slug, SAMPLE);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const rep = r.report;
    assert.equal(rep.status, 'ok');
    assert.deepEqual([rep.received, rep.created, rep.updated, rep.unchanged, rep.withdrawn, rep.rejected],
        [1, 1, 0, 0, 0, 0]);
    assert.deepEqual(rep.errors, []);
    const [row] = sql(`SELECT ref, type, transaction, price, currency, status, town, province, area,
        latitude, longitude, beds, baths, built_area, plot_area, energy_consumption, energy_emissions,
        new_build, notes, source_id FROM properties WHERE tenant_id = ${t.id} AND ref = 'V3TEST'`);
    assert.deepEqual(row, ['V3TEST', 'villa', 'sale', '25000000', 'EUR', 'active', 'almunecar', 'granada',
        'Urb Tropicana', '36.728807', '-3.693466', '3', '2', '150', '500', 'D', 'C', '0',
        'Private property notes', '12367']);
    const pid = sqlValue(`SELECT id FROM properties WHERE tenant_id = ${t.id} AND ref = 'V3TEST'`);
    assert.equal(sqlValue(`SELECT COUNT(*) FROM property_descriptions WHERE tenant_id = ${t.id} AND property_id = ${pid}`), '33');
    assert.equal(sqlValue(`SELECT text FROM property_descriptions WHERE tenant_id = ${t.id} AND property_id = ${pid} AND lang = 'zh'`),
        'Simplified Chinese property description');
    assert.deepEqual(sql(`SELECT code FROM property_features WHERE tenant_id = ${t.id} AND property_id = ${pid} ORDER BY code`).flat(),
        ['good_rental_potential', 'near_beach', 'pool', 'water_possible']);
    const photos = sql(`SELECT source_url, is_main, position FROM property_media WHERE tenant_id = ${t.id}
        AND property_id = ${pid} AND kind = 'photo' ORDER BY position`);
    assert.equal(photos.length, 5);
    assert.deepEqual(photos[0], ['http://images.kyero.com/12811577_large.jpg', '1', '0']);
    assert.equal(photos[4][0], 'http://images.kyero.com/12811582_large.jpg');
    const [item] = sql(`SELECT feed_date, part_ownership, leasehold, pool, JSON_VALUE(urls, '$.en')
        FROM kyero_items WHERE tenant_id = ${t.id} AND property_id = ${pid}`);
    assert.deepEqual(item, ['2013-09-27 12:00:10', '0', '0', '1', 'http://english.website.com/property/123456.htm']);
});

test('an unchanged <date> leaves the listing untouched and is counted', () => {
    const before = sqlValue(`SELECT updated_at FROM properties WHERE tenant_id = ${t.id} AND ref = 'V3TEST'`);
    const r = feedImport(t.slug, SAMPLE);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual([r.report.received, r.report.created, r.report.updated, r.report.unchanged],
        [1, 0, 0, 1]);
    assert.equal(sqlValue(`SELECT updated_at FROM properties WHERE tenant_id = ${t.id} AND ref = 'V3TEST'`), before);
    assert.equal(sqlValue(`SELECT COUNT(*) FROM properties WHERE tenant_id = ${t.id} AND ref = 'V3TEST'`), '1');
});

test('updates, withdrawals and rejections in one run; withdrawn listings come back', () => {
    const a = [property({ id: '1', ref: 'A-1' }), property({ id: '2', ref: 'A-2' }), property({ id: '3', ref: 'A-3' })];
    const first = feedImport(t.slug, tmpFile('a1.xml', feed(a)));
    assert.equal(first.report.created, 3, first.stdout);
    const feedId = first.report.feed_id;
    const second = feedImport(t.slug, tmpFile('a2.xml', feed([
        property({ id: '1', ref: 'A-1', date: '2026-02-01 10:00:00', price: '190000', town: ' <![CDATA[Dénia]]> ' }),
        property({ id: '2', ref: 'A-2' }),
        property({ id: '4', ref: '' }),
        property({ id: '5', ref: 'A-5', price: 'cheap' }),
        property({ id: '6', ref: 'A-6', date: 'last week' }),
        property({ id: '7', ref: 'A-7', type: 'Chalet Adosado' }),
    ])), feedId);
    const r = second.report;
    assert.equal(second.status, 0, second.stdout);
    assert.deepEqual([r.received, r.created, r.updated, r.unchanged, r.withdrawn, r.rejected], [6, 1, 1, 1, 1, 3]);
    const reasons = Object.fromEntries(r.errors.map((e) => [e.id, e.reason]));
    assert.equal(reasons['4'], 'ref: required');
    assert.match(reasons['5'], /^price: 'cheap'/);
    assert.match(reasons['6'], /^date: 'last week'/);
    assert.deepEqual(r.unknown_types, ['Chalet Adosado']);
    const l = feedListings(t.id, feedId);
    assert.deepEqual(l['A-1'], { id: l['A-1'].id, status: 'active', price: 19000000, town: 'Dénia', type: 'apartment' });
    assert.equal(l['A-3'].status, 'removed_by_feed');
    assert.equal(l['A-7'].type, 'chalet_adosado', 'an unknown type is kept as text');
    assert.equal(sqlValue(`SELECT to_status FROM property_status_history WHERE tenant_id = ${t.id}
        AND property_id = ${l['A-3'].id} ORDER BY id DESC LIMIT 1`), 'removed_by_feed');
    const runs = sql(`SELECT status, received, rejected FROM kyero_runs WHERE tenant_id = ${t.id} AND feed_id = ${feedId} ORDER BY id`);
    assert.deepEqual(runs.at(-1), ['ok', '6', '3']);
    const back = feedImport(t.slug, tmpFile('a3.xml', feed(a)), feedId);
    assert.equal(back.report.status, 'ok');
    assert.equal(feedListings(t.id, feedId)['A-3'].status, 'active', 'back in the feed, active again');
});

test('removal strategies off_market and ignore', async () => {
    for (const removal of ['off_market', 'ignore']) {
        const created = await api('POST', '/api/v1/feeds', { token: t.token, json: { name: `rm-${removal}`, removal, frequency: 'manual' } });
        assert.equal(created.status, 201, created.text);
        const id = created.json.data.id;
        const ids = [1, 2].map((n) => property({ id: `${removal}-${n}`, ref: `${removal.slice(0, 3).toUpperCase()}-${n}` }));
        feedImport(t.slug, tmpFile(`${removal}1.xml`, feed(ids)), id);
        const r = feedImport(t.slug, tmpFile(`${removal}2.xml`, feed([ids[0]])), id).report;
        assert.equal(r.withdrawn, removal === 'ignore' ? 0 : 1);
        const status = feedListings(t.id, id)[`${removal.slice(0, 3).toUpperCase()}-2`].status;
        assert.equal(status, removal === 'ignore' ? 'active' : 'off_market');
    }
});

test('a listing of the agency with the same ref is adopted, not duplicated', () => {
    sql(`INSERT INTO properties (tenant_id, ref, type, status, town) VALUES (${t.id}, 'OWN-1', 'villa', 'active', 'Altea')`);
    const own = sqlValue(`SELECT id FROM properties WHERE tenant_id = ${t.id} AND ref = 'OWN-1'`);
    const r = feedImport(t.slug, tmpFile('adopt.xml', feed([property({ id: '900', ref: 'OWN-1', town: 'Calpe' })])));
    assert.deepEqual([r.report.created, r.report.updated], [0, 1], r.stdout);
    const rows = sql(`SELECT id, town, source_feed, source_id FROM properties WHERE tenant_id = ${t.id} AND ref = 'OWN-1'`);
    assert.deepEqual(rows, [[own, 'Calpe', `kyero:${r.report.feed_id}`, '900']]);
});

test('two feeds delivering the same ref: reported, not overwritten', () => {
    const one = feedImport(t.slug, tmpFile('dup-a.xml', feed([property({ id: '1', ref: 'DUP-1', town: 'Moraira' })])));
    const two = feedImport(t.slug, tmpFile('dup-b.xml', feed([property({ id: '77', ref: 'DUP-1', town: 'Benidorm' })])));
    assert.equal(one.report.created, 1);
    assert.equal(two.report.rejected, 1);
    assert.equal(two.report.conflicts.length, 1);
    assert.equal(two.report.conflicts[0].source_feed, `kyero:${one.report.feed_id}`);
    assert.match(two.report.errors[0].reason, /belongs to another listing/);
    assert.equal(sqlValue(`SELECT town FROM properties WHERE tenant_id = ${t.id} AND ref = 'DUP-1'`), 'Moraira');
});

test('bad documents import nothing, withdraw nothing, and say where', async () => {
    const good = [property({ id: 'b1', ref: 'BAD-1' }), property({ id: 'b2', ref: 'BAD-2' })];
    const first = feedImport(t.slug, tmpFile('bad0.xml', feed(good)));
    const feedId = first.report.feed_id;
    const snapshot = () => JSON.stringify([feedListings(t.id, feedId),
        sql(`SELECT COUNT(*) FROM property_descriptions WHERE tenant_id = ${t.id}`)]);
    const was = snapshot();
    const lol = '<?xml version="1.0"?>\n<!DOCTYPE root [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' +
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n<root>&d;</root>';
    const docs = {
        truncated: feed([property({ id: 'b1', ref: 'BAD-1', price: '1' })]).slice(0, 200),
        malformed: feed([good[0]]).replace('</ref>', '</reff>'),
        empty: '',
        html: '<!DOCTYPE html>\n<html><head><title>Error</title></head><body>Oops</body></html>',
        'billion laughs': lol,
        xxe: '<?xml version="1.0"?>\n<!DOCTYPE root [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<root><property><ref>&x;</ref></property></root>',
        'wrong encoding': '<?xml version="1.0" encoding="UTF-16"?>\n<root></root>',
    };
    for (const [name, text] of Object.entries(docs)) {
        const r = feedImport(t.slug, tmpFile(`bad-${name.replace(/ /g, '_')}.xml`, text), feedId);
        assert.equal(r.status, 3, `${name}: a failed run exits 3 (${r.stdout} ${r.stderr})`);
        assert.equal(r.report.status, 'failed', name);
        assert.ok(r.report.error.reason.length > 0, name);
        assert.ok(r.report.error.line >= 1, `${name}: a line (${JSON.stringify(r.report.error)})`);
        assert.equal(r.report.withdrawn, 0, name);
        assert.doesNotMatch(r.stdout, /root:x:0:0/, `${name}: no file content leaks`);
    }
    assert.equal(snapshot(), was, 'nothing changed');
    const runs = sql(`SELECT status, error_line FROM kyero_runs WHERE tenant_id = ${t.id} AND feed_id = ${feedId} ORDER BY id`);
    assert.equal(runs.filter(([s]) => s === 'failed').length, Object.keys(docs).length);
    const health = await api('GET', '/healthz');
    assert.equal(health.status, 200);
});

test('kill -9 during an import leaves nothing half-done', async () => {
    const props = [];
    for (let i = 0; i < 6000; i++) {
        props.push(property({ id: `k${i}`, ref: `KILL-${i}` }));
    }
    const created = await api('POST', '/api/v1/feeds', { token: t.token, json: { name: 'kill', frequency: 'manual' } });
    const feedId = created.json.data.id;
    const file = tmpFile('kill.xml', feed(props));
    const child = spawn(CLI, ['-c', CONF, 'feed', 'import', '--tenant', t.slug, '--feed', String(feedId), file],
        { stdio: 'ignore' });
    // Killed while its transaction holds rows written but not committed.
    await waitFor(() => sqlValue(`SELECT COUNT(*) FROM kyero_runs WHERE tenant_id = ${t.id} AND feed_id = ${feedId}
        AND status = 'running'`) === '1', { timeout: 20000, interval: 20, what: 'the run to start' });
    await sleep(400);
    child.kill('SIGKILL');
    await new Promise((res) => child.on('exit', res));
    // Rows of an open transaction are invisible anyway: what counts is that none was committed
    // and that the next run (which waits for the feed's lock) finds nothing left over.
    assert.equal(sqlValue(`SELECT COUNT(*) FROM properties WHERE tenant_id = ${t.id} AND source_feed = 'kyero:${feedId}'`), '0');
    assert.equal(sqlValue(`SELECT COUNT(*) FROM kyero_items WHERE tenant_id = ${t.id} AND feed_id = ${feedId}`), '0');
    const again = feedImport(t.slug, file, feedId);
    assert.equal(again.report.status, 'ok', again.stdout);
    assert.equal(again.report.created, 6000);
    assert.deepEqual(sql(`SELECT status, error FROM kyero_runs WHERE tenant_id = ${t.id} AND feed_id = ${feedId} ORDER BY id`),
        [['failed', 'the run was interrupted'], ['ok', null]]);
});

test('a listing the agency has that comes back invalid is rejected, keeps its values and is not withdrawn', () => {
    const first = feedImport(t.slug, tmpFile('k1.xml', feed([property({ id: 'k1', ref: 'K-1', price: '150000' }),
        property({ id: 'k2', ref: 'K-2' })])));
    assert.equal(first.report.created, 2, first.stdout);
    const feedId = first.report.feed_id;
    const second = feedImport(t.slug, tmpFile('k2.xml', feed([
        property({ id: 'k1', ref: 'K-1', date: '2026-03-01 10:00:00', price: 'call us' }),
        property({ id: 'k2', ref: 'K-2' }),
    ])), feedId);
    const r = second.report;
    assert.equal(second.status, 0, second.stdout);
    assert.deepEqual([r.received, r.updated, r.unchanged, r.withdrawn, r.rejected], [2, 0, 1, 0, 1], JSON.stringify(r));
    assert.match(r.errors[0].reason, /^price: 'call us'/);
    const l = feedListings(t.id, feedId);
    assert.equal(l['K-1'].status, 'active', 'still in the feed: not withdrawn');
    assert.equal(l['K-1'].price, 15000000, 'its last good price stays');
});

test('duplicate ids in one document: the second is rejected', () => {
    const r = feedImport(t.slug, tmpFile('dupid.xml', feed([property({ id: 'd1', ref: 'DI-1' }),
        property({ id: 'd1', ref: 'DI-2' })]))).report;
    assert.deepEqual([r.created, r.rejected], [1, 1]);
    assert.match(r.errors[0].reason, /twice/);
    assert.equal(sqlValue(`SELECT COUNT(*) FROM properties WHERE tenant_id = ${t.id} AND ref = ${q('DI-2')}`), '0');
});

test('a 64-character ref is imported whole; a longer one is rejected', () => {
    const long = `LR-${'x'.repeat(61)}`;
    const r = feedImport(t.slug, tmpFile('longref.xml', feed([property({ id: 'lr1', ref: long }),
        property({ id: 'lr2', ref: `${long}y` })]))).report;
    assert.deepEqual([r.created, r.rejected], [1, 1], JSON.stringify(r));
    assert.equal(r.errors[0].id, 'lr2');
    assert.equal(r.errors[0].reason, 'ref: longer than 64 characters');
    assert.equal(sqlValue(`SELECT CHAR_LENGTH(ref) FROM properties WHERE tenant_id = ${t.id} AND ref = ${q(long)}`), '64');
});

test('an import queues the completeness recount of its listings', async () => {
    const ref = 'CMP-1';
    feedImport(t.slug, tmpFile('complete.xml', feed([property({ id: 'cmp1', ref })])));
    const score = await waitFor(() => {
        const v = Number(sqlValue(`SELECT completeness FROM properties WHERE tenant_id = ${t.id} AND ref = ${q(ref)}`));
        return v > 0 && v;
    }, { timeout: 30000, what: 'the imported listing scored' });
    assert.ok(score > 0 && score <= 100, String(score));
});
