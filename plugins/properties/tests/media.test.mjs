// Media: uploads checked by content, size and pixel count; EXIF orientation
// applied in the variants; random names in the storage directory, served by
// nginx after the access check; order, main photo, captions, floor plans,
// links; documents.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readConf } from '../../../tests/api/_http.mjs';
import { api, createProperty, jpegSize, png, pngBomb, show, upload, withOrientation, world } from './_props.mjs';

let w, other, prop, jpeg;
const storage = () => readConf().storage.dir;

before(async () => {
    w = await world('pmed');
    other = await world('pmo');
    prop = await createProperty(w.tok.agent, { type: 'villa', town: 'Denia' });
});

test('a PNG becomes three JPEG variants served through nginx after the access check', async () => {
    const res = await upload(w.tok.agent, prop.id, { filename: 'garden.png', type: 'image/png', data: png(1200, 800) },
        { captions: JSON.stringify({ en: 'The garden', es: 'El jardín' }) });
    assert.equal(res.status, 201, show(res));
    const m = res.json.data;
    assert.equal(m.kind, 'photo');
    assert.equal(m.is_main, true, 'the first photo is the main one');
    assert.equal(m.width, 1200);
    assert.deepEqual(m.captions, { en: 'The garden', es: 'El jardín' });
    const large = await api('GET', m.variants.large, { token: w.tok.viewer });
    assert.equal(large.status, 200, show(large));
    assert.equal(large.headers['content-type'], 'image/jpeg');
    assert.equal(large.headers['x-content-type-options'], 'nosniff');
    assert.equal(large.headers['x-accel-redirect'], undefined, 'nginx consumed the redirect');
    assert.deepEqual(jpegSize(large.body), { width: 1200, height: 800 }, 'never enlarged');
    const thumb = await api('GET', m.variants.thumb, { token: w.tok.viewer });
    assert.deepEqual(jpegSize(thumb.body), { width: 320, height: 213 });
    jpeg = large.body;
    // Another tenant, no login, or the internal location directly: nothing.
    const foreign = await api('GET', m.variants.large, { token: other.tok.admin });
    assert.equal(foreign.status, 404);
    const anon = await api('GET', m.variants.large);
    assert.equal(anon.status, 401);
    const files = fs.readdirSync(path.join(storage(), String(w.t.id)), { recursive: true })
        .filter((f) => f.includes('_'));
    assert.ok(files.length >= 3);
    for (const f of files) {
        assert.match(path.basename(f), /^[0-9a-f]{32}_(thumb|medium|large|doc)$/, 'random names only');
    }
    const rel = path.join(String(w.t.id), files[0]);
    const direct = await api('GET', `/_files/${rel}`, { token: w.tok.admin });
    assert.equal(direct.status, 404, 'the storage location is internal');
});

test('EXIF orientation is applied: a landscape JPEG tagged "rotate 90" comes out portrait', async () => {
    assert.ok(jpeg, 'needs the first test');
    const res = await upload(w.tok.agent, prop.id, { filename: 'rotated.jpg', type: 'image/jpeg', data: withOrientation(jpeg, 6) });
    assert.equal(res.status, 201, show(res));
    const large = await api('GET', res.json.data.variants.large, { token: w.tok.agent });
    assert.deepEqual(jpegSize(large.body), { width: 800, height: 1200 });
    assert.equal(large.body.includes(Buffer.from('Exif')), false, 'metadata is stripped');
});

test('lying types, empty files, bombs and path names are refused or neutralised', async () => {
    const text = Buffer.from('<?php system($_GET["c"]); ?>\n'.repeat(20));
    let res = await upload(w.tok.agent, prop.id, { filename: 'photo.jpg', type: 'image/jpeg', data: text });
    assert.equal(res.status, 415, show(res));
    assert.equal(res.json.error.code, 'unsupported_media_type');
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    res = await upload(w.tok.agent, prop.id, { filename: 'x.png', type: 'image/png', data: svg });
    assert.equal(res.status, 415);
    // A JPEG's first bytes and then garbage: magic says JPEG, the decoder disagrees.
    res = await upload(w.tok.agent, prop.id, { filename: 'broken.jpg', type: 'image/jpeg',
        data: Buffer.concat([jpeg.subarray(0, 200), Buffer.alloc(2000, 7)]) });
    assert.equal(res.status, 415, show(res));
    res = await upload(w.tok.agent, prop.id, { filename: 'empty.jpg', type: 'image/jpeg', data: Buffer.alloc(0) });
    assert.equal(res.status, 400, show(res));
    // 60 megapixels in a file of a few kilobytes: refused from the header.
    const bomb = pngBomb(10000, 6000);
    assert.ok(bomb.length < 100000);
    res = await upload(w.tok.agent, prop.id, { filename: 'bomb.png', type: 'image/png', data: bomb });
    assert.equal(res.status, 413, show(res));
    assert.equal(res.json.error.code, 'image_too_large');
    res = await upload(w.tok.agent, prop.id, { filename: 'huge.png', type: 'image/png', data: pngBomb(65000, 65000) });
    assert.equal(res.status, 413);
    res = await upload(w.tok.agent, prop.id, { filename: 'big.png', type: 'image/png',
        data: Buffer.concat([png(10, 10), Buffer.alloc(26 << 20)]) });
    assert.equal(res.status, 413, show(res));
    res = await upload(w.tok.agent, prop.id, { filename: '../../../../etc/cron.d/x.png', type: 'image/png', data: png(40, 30) });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json.data.original_name, 'x.png');
    assert.equal(fs.existsSync('/etc/cron.d/x.png'), false);
    const list = await api('GET', `/api/v1/properties/${prop.id}/media`, { token: w.tok.agent });
    assert.equal(list.json.data.length, 3, 'only the three good photos were stored');
    const health = await api('GET', '/healthz');
    assert.equal(health.status, 200);
});

test('order, main photo, captions, floor plan, links and documents', async () => {
    const p = await createProperty(w.tok.agent, { type: 'apartment' });
    const ids = [];
    for (let i = 0; i < 3; i++) {
        const res = await upload(w.tok.agent, p.id, { filename: `p${i}.png`, type: 'image/png', data: png(64 + i, 48) });
        assert.equal(res.status, 201, show(res));
        ids.push(res.json.data.id);
    }
    let res = await api('PUT', `/api/v1/properties/${p.id}/media/order`, { token: w.tok.agent, json: { ids: [ids[2], ids[0], ids[1]] } });
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.json.data.map((m) => m.id), [ids[0], ids[2], ids[1]], 'main first, then by order');
    res = await api('PUT', `/api/v1/properties/${p.id}/media/order`, { token: w.tok.agent, json: { ids: [ids[0], ids[0], ids[1]] } });
    assert.equal(res.status, 422);
    res = await api('PATCH', `/api/v1/properties/${p.id}/media/${ids[2]}`, { token: w.tok.agent,
        json: { is_main: true, captions: { nl: 'Woonkamer', de: 'Wohnzimmer' } } });
    assert.equal(res.status, 200, show(res));
    res = await api('PATCH', `/api/v1/properties/${p.id}/media/${ids[1]}`, { token: w.tok.agent, json: { is_floor_plan: true } });
    assert.equal(res.json.data.is_floor_plan, true);
    const media = (await api('GET', `/api/v1/properties/${p.id}`, { token: w.tok.agent })).json.data.media;
    assert.deepEqual(media.filter((m) => m.is_main).map((m) => m.id), [ids[2]], 'one main photo');
    assert.equal(media.find((m) => m.id === ids[2]).captions.de, 'Wohnzimmer');
    res = await api('POST', `/api/v1/properties/${p.id}/media`, { token: w.tok.agent,
        json: { kind: 'virtual_tour', url: 'https://tour.example/abc' } });
    assert.equal(res.status, 201, show(res));
    res = await api('POST', `/api/v1/properties/${p.id}/media`, { token: w.tok.agent,
        json: { kind: 'video', url: 'javascript:alert(1)' } });
    assert.equal(res.status, 422);
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
    res = await upload(w.tok.agent, p.id, { filename: 'energy certificate.pdf', type: 'application/pdf', data: pdf }, { kind: 'document' });
    assert.equal(res.status, 201, show(res));
    const dl = await api('GET', res.json.data.download, { token: w.tok.viewer });
    assert.equal(dl.status, 200);
    assert.equal(dl.headers['content-type'], 'application/pdf');
    assert.match(dl.headers['content-disposition'], /^attachment; filename="energy certificate.pdf"$/);
    assert.ok(dl.body.equals(pdf));
    res = await upload(w.tok.agent, p.id, { filename: 'x.pdf', type: 'application/pdf', data: png(10, 10) }, { kind: 'document' });
    assert.equal(res.status, 415);
    res = await upload(w.tok.agent2, p.id, { filename: 'y.png', type: 'image/png', data: png(10, 10) });
    assert.equal(res.status, 403, 'another agent\'s listing');
    res = await api('DELETE', `/api/v1/properties/${p.id}/media/${ids[2]}`, { token: w.tok.agent });
    assert.equal(res.status, 204);
    const after = (await api('GET', `/api/v1/properties/${p.id}/media`, { token: w.tok.agent })).json.data;
    assert.equal(after.filter((m) => m.is_main).length, 1, 'the next photo became the main one');
});
