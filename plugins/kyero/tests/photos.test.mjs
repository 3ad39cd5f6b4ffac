// Feed photos: an import stores the image URLs at once and the properties.photo_fetch job
// fetches them from a real HTTP server on 127.0.0.1 (the one port the test install's [fetch]
// allow lets through) into media, in feed order with the floor-plan tag; a photo that is not
// an image, a pixel bomb or a 404 is recorded and retried by the next sync without blocking
// the import; a changed image list replaces media, an unchanged listing costs no request.
// Imported and withdrawn listings are audited and reach webhooks as property.* events.
// The feed manager pages count the photos to fetch and those that failed, and list the
// failures with the listing, the URL and the reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { api, newUser, readConf, request, session, waitFor } from '../../../tests/api/_http.mjs';
import { createProperty, jpegSize, png, pngBomb, upload } from '../../properties/tests/_props.mjs';
import { feed, property, sql, sqlValue, tenantWithToken } from './_kyero.mjs';

let t, server, base, feedId;
const hits = {};
const files = {};
const hooks = [];   // the webhook deliveries received: { event, body }

before(async () => {
    t = await tenantWithToken('kyphoto');
    const allow = (readConf().fetch?.allow ?? '').split(/\s+/).find((a) => a.startsWith('127.0.0.1:'));
    assert.ok(allow, '[fetch] allow names a 127.0.0.1 port for the test feed server');
    server = http.createServer((req, res) => {
        const p = req.url.split('?')[0];
        hits[p] = (hits[p] ?? 0) + 1;
        if (p === '/hook') {
            let body = '';
            req.on('data', (c) => { body += c; });
            req.on('end', () => {
                hooks.push({ event: req.headers['x-tesoro-event'], body: JSON.parse(body) });
                res.writeHead(200).end('ok');
            });
            return;
        }
        const f = files[p];
        if (!f) {
            res.writeHead(404).end('not here');
            return;
        }
        res.writeHead(200, { 'Content-Type': f.type }).end(f.data);
    });
    await new Promise((res) => server.listen(Number(allow.split(':')[1]), '127.0.0.1', res));
    base = `http://127.0.0.1:${allow.split(':')[1]}`;
    // Real JPEGs: the server's own variants of two PNGs made here.
    const scratch = await createProperty(t.token, { ref: 'SCRATCH' });
    for (const [name, w, h] of [['a', 1200, 800], ['b', 600, 900]]) {
        const up = await upload(t.token, scratch.id, { filename: `${name}.png`, type: 'image/png', data: png(w, h) });
        assert.equal(up.status, 201, up.text);
        const large = await api('GET', up.json.data.variants.large, { token: t.token });
        files[`/photos/${name}.jpg`] = { type: 'image/jpeg', data: large.body };
    }
    files['/photos/plan.png'] = { type: 'image/png', data: png(400, 300) };
    files['/photos/c.png'] = { type: 'image/png', data: png(500, 500) };
    files['/photos/text.jpg'] = { type: 'image/jpeg', data: Buffer.from('this is not a photo at all\n'.repeat(20)) };
    files['/photos/bomb.png'] = { type: 'image/png', data: pngBomb(10000, 6000) };
    const set = await api('PATCH', '/api/v1/properties/settings', { token: t.token, json: { min_photos: 1 } });
    assert.equal(set.status, 200, set.text);
    const f = await api('POST', '/api/v1/feeds', { token: t.token, json: { name: 'Photos', frequency: 'manual' } });
    assert.equal(f.status, 201, f.text);
    feedId = f.json.data.id;
});

after(() => server?.close());

function images(list) {
    return `<images>${list.map(([u, plan], i) => `<image id="${i + 1}">${plan ? '<tags><tag>floorplan</tag></tags>' : ''}` +
        `<url>${base}/photos/${u}</url></image>`).join('')}</images>`;
}

function listing(id, ref, date, list) {
    return property({ id, ref, date, images: [] }).replace('<images></images>', images(list));
}

async function importFeed(props) {
    const boundary = 'photoboundary42';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="feed.xml"\r\n` +
        `Content-Type: application/xml\r\n\r\n${feed(props)}\r\n--${boundary}--\r\n`;
    const r = await api('POST', `/api/v1/feeds/${feedId}/import`, { token: t.token, body,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.data.status, 'ok', r.text);
    return r.json.data;
}

const pid = (ref) => Number(sqlValue(`SELECT id FROM properties WHERE tenant_id = ${t.id} AND ref = '${ref}'`));

/** The feed photos of a listing in order: [file, floor plan, main, stored, fetch state, error]. */
function photos(ref) {
    return sql(`SELECT SUBSTRING_INDEX(source_url, '/', -1), is_floor_plan, is_main, storage_name IS NOT NULL,
        fetch_state, fetch_error FROM property_media WHERE tenant_id = ${t.id} AND property_id = ${pid(ref)}
        AND kind = 'photo' AND deleted_at IS NULL ORDER BY position, id`)
        .map(([u, f, m, s, st, e]) => [u, f === '1', m === '1', s === '1', st, e]);
}

async function fetched() {
    await waitFor(() => sqlValue(`SELECT COUNT(*) FROM property_media WHERE tenant_id = ${t.id}
        AND fetch_state IN ('pending', 'purge')`) === '0' &&
        sqlValue(`SELECT COUNT(*) FROM jobs WHERE tenant_id = ${t.id} AND kind = 'properties.photo_fetch'
        AND status IN ('queued', 'running')`) === '0', { timeout: 60000, what: 'the photo jobs' });
}

test('an import stores the URLs at once; the job fetches them into media in feed order', async () => {
    const hook = await api('POST', '/api/v1/webhooks', { token: t.token, json: { name: 'portal sync',
        url: `${base}/hook`, events: ['property.created', 'property.updated', 'property.status_changed'] } });
    assert.equal(hook.status, 201, hook.text);
    const report = await importFeed([
        listing('p1', 'PH-1', '2026-01-01 10:00:00', [['a.jpg'], ['plan.png', true], ['b.jpg'], ['text.jpg'], ['missing.jpg']]),
        listing('p2', 'PH-2', '2026-01-01 10:00:00', [['bomb.png'], ['a.jpg']]),
    ]);
    assert.equal(report.created, 2);
    // The import did not wait for a single photo.
    assert.deepEqual(photos('PH-1').map(([u, , , s]) => [u, s]),
        [['a.jpg', false], ['plan.png', false], ['b.jpg', false], ['text.jpg', false], ['missing.jpg', false]]);
    await fetched();
    const p1 = photos('PH-1');
    assert.deepEqual(p1.map(([u, f, m, s, st]) => [u, f, m, s, st]), [
        ['a.jpg', false, true, true, null], ['plan.png', true, false, true, null], ['b.jpg', false, false, true, null],
        ['text.jpg', false, false, false, 'failed'], ['missing.jpg', false, false, false, 'failed']]);
    assert.match(p1[3][5], /photos are JPEG, PNG or WebP/);
    assert.match(p1[4][5], /HTTP 404/);
    const [bomb] = photos('PH-2');
    assert.equal(bomb[4], 'failed');
    assert.match(bomb[5], /too many pixels/);
    // Served like an upload: the variants, the sizes of the source.
    const media = await api('GET', `/api/v1/properties/${pid('PH-1')}/media`, { token: t.token });
    const main = media.json.data.find((m) => m.is_main);
    assert.ok(main.source_url.endsWith('/photos/a.jpg'));
    assert.deepEqual([main.width, main.height], [1200, 800]);
    const thumb = await api('GET', main.variants.thumb, { token: t.token });
    assert.equal(thumb.status, 200);
    assert.deepEqual(jpegSize(thumb.body), { width: 320, height: 213 });
    assert.equal(media.json.data.filter((m) => m.is_floor_plan).length, 1);
    const notFetched = media.json.data.find((m) => m.source_url.endsWith('/missing.jpg'));
    assert.equal(notFetched.fetch_state, 'failed', 'the API says which photos are not fetched, and why');
    assert.match(notFetched.fetch_error, /HTTP 404/);
    assert.equal(main.fetch_state, null);
    assert.equal(sqlValue(`SELECT missing FROM properties WHERE tenant_id = ${t.id} AND ref = 'PH-1'`).includes('photos'), false,
        'the completeness counts the fetched photos');
    // Audited and sent to the webhook as events.
    assert.equal(sqlValue(`SELECT COUNT(*) FROM audit_log WHERE tenant_id = ${t.id} AND entity = 'property'
        AND action = 'create' AND entity_id IN (${pid('PH-1')}, ${pid('PH-2')})`), '2');
    assert.equal(sqlValue(`SELECT COUNT(*) FROM webhook_deliveries WHERE tenant_id = ${t.id} AND event = 'property.created'`), '2');
});

test('the feed pages count photos to fetch and failed, and list the failures with ref, URL and reason', async () => {
    const viewer = newUser(t, 'viewer');
    const jar = await session(t, viewer);
    const list = await request('GET', '/feeds', { host: t.host, jar });
    assert.equal(list.status, 200, list.text);
    const row = list.text.split('<tr>').find((r) => r.includes(`href="/feeds/${feedId}"`));
    assert.ok(row, list.text);
    assert.match(row, /<td class="num" data-photos-pending>0<\/td>/);
    assert.match(row, new RegExp(`data-photos-failed><a href="/feeds/${feedId}#photo-failures" class="badge bad">3</a>`));
    const page = await request('GET', `/feeds/${feedId}`, { host: t.host, jar });
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /<span data-photos-pending>0<\/span> to fetch, <span data-photos-failed>3<\/span> failed/);
    const rows = page.text.split('data-photo-failures')[1].split('<tr>').slice(2)
        .map((r) => [...r.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((m) => m[1].replace(/<[^>]+>/g, '').trim()));
    assert.deepEqual(rows.map(([ref, url]) => [ref, url.split('/').pop()]),
        [['PH-1', 'text.jpg'], ['PH-1', 'missing.jpg'], ['PH-2', 'bomb.png']]);
    assert.match(rows[0][2], /photos are JPEG, PNG or WebP/);
    assert.match(rows[1][2], /HTTP 404/);
    assert.match(rows[2][2], /too many pixels/);
    assert.match(page.text, new RegExp(`<a href="/properties/${pid('PH-1')}">PH-1</a>`));
    // Another tenant's feed page is not found, and its photos are not counted anywhere.
    const other = await tenantWithToken('kyphoto2');
    const otherJar = await session(other, other.admin);
    const none = await request('GET', '/feeds', { host: other.host, jar: otherJar });
    assert.doesNotMatch(none.text, /data-photos-failed/);
    assert.equal((await request('GET', `/feeds/${feedId}`, { host: other.host, jar: otherJar })).status, 404);
});

test('an unchanged listing costs nothing; failed photos are retried by the next sync', async () => {
    const before = { ...hits };
    const report = await importFeed([
        listing('p1', 'PH-1', '2026-01-01 10:00:00', [['a.jpg'], ['plan.png', true], ['b.jpg'], ['text.jpg'], ['missing.jpg']]),
        listing('p2', 'PH-2', '2026-01-01 10:00:00', [['bomb.png'], ['a.jpg']]),
    ]);
    assert.equal(report.unchanged, 2);
    files['/photos/missing.jpg'] = files['/photos/b.jpg'];   // the partner fixed it
    await fetched();
    assert.equal(hits['/photos/a.jpg'], before['/photos/a.jpg'], 'stored photos are not fetched again');
    assert.equal(hits['/photos/missing.jpg'], before['/photos/missing.jpg'] + 1, 'the failed one is retried');
    assert.deepEqual(photos('PH-1')[4].slice(3, 5), [true, null]);
    assert.equal(photos('PH-1')[3][4], 'failed', 'still not a photo');
});

test('a changed image list replaces media: kept photos are not fetched again, dropped ones lose their files', async () => {
    const storage = readConf().storage?.dir;
    const plan = sqlValue(`SELECT storage_name FROM property_media WHERE tenant_id = ${t.id} AND property_id = ${pid('PH-1')}
        AND source_url LIKE '%/plan.png'`);
    const planFile = path.join(storage, String(t.id), plan.slice(0, 2), `${plan}_thumb`);
    assert.ok(fs.existsSync(planFile), planFile);
    const before = { ...hits };
    const report = await importFeed([
        listing('p1', 'PH-1', '2026-02-01 10:00:00', [['b.jpg'], ['a.jpg'], ['c.png', true]]),
    ]);
    assert.deepEqual([report.updated, report.withdrawn], [1, 1]);
    await fetched();
    assert.deepEqual(photos('PH-1').map(([u, f, m, s]) => [u, f, m, s]),
        [['b.jpg', false, true, true], ['a.jpg', false, false, true], ['c.png', true, false, true]]);
    assert.equal(hits['/photos/a.jpg'], before['/photos/a.jpg']);
    assert.equal(hits['/photos/b.jpg'], before['/photos/b.jpg']);
    assert.equal(hits['/photos/c.png'], 1);
    assert.equal(fs.existsSync(planFile), false, 'the dropped floor plan is gone from storage');
    assert.equal(sqlValue(`SELECT COUNT(*) FROM property_media WHERE tenant_id = ${t.id} AND property_id = ${pid('PH-1')}`), '3');
    // PH-2 left the feed: withdrawn, audited, and the webhook hears the status change.
    assert.equal(sqlValue(`SELECT status FROM properties WHERE tenant_id = ${t.id} AND ref = 'PH-2'`), 'removed_by_feed');
    assert.equal(sqlValue(`SELECT COUNT(*) FROM audit_log WHERE tenant_id = ${t.id} AND entity = 'property'
        AND action = 'withdraw' AND entity_id = ${pid('PH-2')}`), '1');
    assert.equal(sqlValue(`SELECT COUNT(*) FROM webhook_deliveries WHERE tenant_id = ${t.id}
        AND event = 'property.status_changed'`), '1');
    assert.equal(sqlValue(`SELECT COUNT(*) FROM audit_log WHERE tenant_id = ${t.id} AND entity = 'property'
        AND action = 'update' AND entity_id = ${pid('PH-1')}`), '1');
    // The changed listing reaches the webhook subscribed to property.updated.
    await waitFor(() => hooks.some((h) => h.event === 'property.updated'), { timeout: 30000, what: 'the property.updated delivery' });
    const updated = hooks.filter((h) => h.event === 'property.updated');
    assert.equal(updated.length, 1, 'only the changed listing, not the unchanged runs');
    assert.equal(updated[0].body.event, 'property.updated');
    assert.equal(updated[0].body.data.id, pid('PH-1'));
    assert.equal(updated[0].body.data.feed_id, feedId);
});
