// Files of a new-build project: PDFs and images checked by content, stored
// under random names like a property's media, sent by nginx after the access
// check (the tenant, the project, a live row), listed with the project, and
// removed with their files.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readConf } from '../../../tests/api/_http.mjs';
import { api, jpegSize, multipart, png, show, sql, world } from './_props.mjs';

let w, other, pid, otherPid, typology;
const storage = () => readConf().storage.dir;
const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

function send(token, project, file, fields = {}) {
    const m = multipart(fields, [file]);
    return api('POST', `/api/v1/properties/projects/${project}/files`, {
        token, body: m.body, headers: { 'content-type': m.type },
    });
}

/** The stored names (random, 32 hex) of the tenant's files on disk. */
function storedNames(tenantId) {
    const dir = path.join(storage(), String(tenantId));
    return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map((f) => path.basename(f))
        .filter((f) => /^[0-9a-f]{32}_/.test(f)) : [];
}

before(async () => {
    w = await world('ppf');
    other = await world('ppfo');
    let res = await api('POST', '/api/v1/properties/projects', { token: w.tok.manager, json: { name: 'Marina Park' } });
    assert.equal(res.status, 201, show(res));
    pid = res.json.data.id;
    res = await api('POST', `/api/v1/properties/projects/${pid}/typologies`, { token: w.tok.manager, json: { name: 'Type B' } });
    typology = res.json.data.id;
    res = await api('POST', '/api/v1/properties/projects', { token: w.tok.manager, json: { name: 'Second phase' } });
    otherPid = res.json.data.id;
});

test('a price list (PDF) and a plan (PNG) are stored, listed and sent through nginx', async () => {
    let res = await send(w.tok.manager, pid, { filename: 'price list.pdf', type: 'application/octet-stream', data: pdf });
    assert.equal(res.status, 201, show(res));
    const doc = res.json.data;
    assert.equal(doc.kind, 'document', 'told by the content');
    assert.equal(doc.project_id, pid);
    assert.equal(doc.original_name, 'price list.pdf');
    assert.equal(doc.download, `/api/v1/properties/projects/${pid}/files/${doc.id}`);
    const dl = await api('GET', doc.download, { token: w.tok.viewer });
    assert.equal(dl.status, 200, show(dl));
    assert.equal(dl.headers['content-type'], 'application/pdf');
    assert.equal(dl.headers['x-content-type-options'], 'nosniff');
    assert.equal(dl.headers['x-accel-redirect'], undefined, 'nginx consumed the redirect');
    assert.match(dl.headers['content-disposition'], /^attachment; filename="price list.pdf"$/);
    assert.ok(dl.body.equals(pdf));

    res = await send(w.tok.manager, pid, { filename: 'plan.png', type: 'image/png', data: png(900, 600) },
        { typology_id: String(typology), captions: JSON.stringify({ en: 'Ground floor' }) });
    assert.equal(res.status, 201, show(res));
    const plan = res.json.data;
    assert.equal(plan.kind, 'photo');
    assert.equal(plan.typology_id, typology);
    assert.deepEqual(plan.captions, { en: 'Ground floor' });
    const thumb = await api('GET', plan.variants.thumb, { token: w.tok.agent });
    assert.equal(thumb.status, 200, show(thumb));
    assert.equal(thumb.headers['content-type'], 'image/jpeg');
    assert.deepEqual(jpegSize(thumb.body), { width: 320, height: 213 });

    const list = await api('GET', `/api/v1/properties/projects/${pid}/files`, { token: w.tok.viewer });
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.data.map((f) => f.id), [doc.id, plan.id]);
    const project = await api('GET', `/api/v1/properties/projects/${pid}`, { token: w.tok.viewer });
    assert.deepEqual(project.json.data.files.map((f) => f.id), [doc.id, plan.id]);
    const none = await api('GET', `/api/v1/properties/projects/${otherPid}/files`, { token: w.tok.viewer });
    assert.deepEqual(none.json.data, [], 'each project its own files');
    for (const name of storedNames(w.t.id)) {
        assert.match(name, /^[0-9a-f]{32}_(thumb|medium|large|doc)$/, 'random names only');
    }
});

test('bad uploads are refused naming the field, and only managers upload', async () => {
    let res = await send(w.tok.manager, pid, { filename: 'fake.pdf', type: 'application/pdf', data: png(10, 10) }, { kind: 'document' });
    assert.equal(res.status, 415);
    assert.ok(res.json.error.fields.file, show(res));
    res = await send(w.tok.manager, pid, { filename: 'notes.txt', type: 'text/plain', data: Buffer.from('just text\n') });
    assert.equal(res.status, 415, 'neither an image nor a PDF');
    res = await send(w.tok.manager, pid, { filename: 'empty.pdf', type: 'application/pdf', data: Buffer.alloc(0) });
    assert.equal(res.status, 400);
    res = await send(w.tok.manager, pid, { filename: 'a.pdf', type: 'application/pdf', data: pdf }, { kind: 'video' });
    assert.equal(res.status, 422);
    assert.ok(res.json.error.fields.kind);
    res = await api('POST', `/api/v1/properties/projects/${otherPid}/typologies`, { token: w.tok.manager, json: { name: 'C' } });
    res = await send(w.tok.manager, pid, { filename: 'a.pdf', type: 'application/pdf', data: pdf },
        { typology_id: String(res.json.data.id) });
    assert.equal(res.status, 422, 'a typology of another project');
    assert.match(res.json.error.fields.typology_id, /not a typology of this project/);
    res = await send(w.tok.agent, pid, { filename: 'a.pdf', type: 'application/pdf', data: pdf });
    assert.equal(res.status, 403);
    const count = sql(`SELECT COUNT(*) FROM property_media WHERE tenant_id = ${w.t.id} AND project_id = ${pid}`);
    assert.equal(count, '2', 'nothing refused was saved');
});

test('another agency, another project or no login never reach a file; delete removes it', async () => {
    const list = await api('GET', `/api/v1/properties/projects/${pid}/files`, { token: w.tok.viewer });
    const [doc, plan] = list.json.data;
    const token = other.tok.admin;
    assert.equal((await api('GET', doc.download, { token })).status, 404);
    assert.equal((await api('GET', `/api/v1/properties/projects/${pid}/files`, { token })).status, 404);
    assert.equal((await api('DELETE', doc.download, { token })).status, 404);
    assert.equal((await api('GET', doc.download)).status, 401);
    const wrongProject = await api('GET', `/api/v1/properties/projects/${otherPid}/files/${doc.id}`, { token: w.tok.viewer });
    assert.equal(wrongProject.status, 404, 'a file is reached only through its own project');
    assert.equal((await api('DELETE', doc.download, { token: w.tok.agent })).status, 403);

    const before = storedNames(w.t.id).length;
    let res = await api('DELETE', `/api/v1/properties/projects/${pid}/files/${plan.id}`, { token: w.tok.manager });
    assert.equal(res.status, 204, show(res));
    assert.equal(storedNames(w.t.id).length, before - 3, 'the three variants are gone from the disk');
    res = await api('GET', plan.variants.thumb, { token: w.tok.viewer });
    assert.equal(res.status, 404);
    res = await api('DELETE', `/api/v1/properties/projects/${pid}/files/${plan.id}`, { token: w.tok.manager });
    assert.equal(res.status, 404);
    const left = await api('GET', `/api/v1/properties/projects/${pid}/files`, { token: w.tok.viewer });
    assert.deepEqual(left.json.data.map((f) => f.id), [doc.id]);
});

test('a project is deleted with its typologies and files, never while it has units', async () => {
    let res = await api('POST', '/api/v1/properties/projects', { token: w.tok.manager, json: { name: 'Old phase' } });
    assert.equal(res.status, 201, show(res));
    const gone = res.json.data.id;
    res = await api('POST', `/api/v1/properties/projects/${gone}/typologies`, { token: w.tok.manager, json: { name: 'Type C' } });
    const typ = res.json.data.id;
    const before = storedNames(w.t.id).length;
    res = await send(w.tok.manager, gone, { filename: 'list.pdf', type: 'application/octet-stream', data: pdf });
    assert.equal(res.status, 201, show(res));
    res = await send(w.tok.manager, gone, { filename: 'c.png', type: 'image/png', data: png(300, 200) },
        { typology_id: String(typ) });
    assert.equal(res.status, 201, show(res));
    assert.ok(storedNames(w.t.id).length > before + 1, 'the files are on disk');
    res = await api('POST', '/api/v1/properties', { token: w.tok.manager, json: { type: 'apartment', project_id: gone, typology_id: typ } });
    assert.equal(res.status, 201, show(res));
    const unit = res.json.data.id;

    res = await api('DELETE', `/api/v1/properties/projects/${gone}`, { token: w.tok.manager });
    assert.equal(res.status, 409, show(res));
    assert.match(res.json.error.message, /1 unit\b/);
    assert.ok(res.json.error.fields.units);
    res = await api('DELETE', `/api/v1/properties/projects/${gone}`, { token: w.tok.agent });
    assert.equal(res.status, 403);
    res = await api('DELETE', `/api/v1/properties/projects/${gone}`, { token: other.tok.admin });
    assert.equal(res.status, 404);

    res = await api('DELETE', `/api/v1/properties/${unit}`, { token: w.tok.manager });
    assert.ok(res.status < 300, show(res));
    res = await api('DELETE', `/api/v1/properties/projects/${gone}`, { token: w.tok.manager });
    assert.equal(res.status, 204, show(res));
    assert.equal(storedNames(w.t.id).length, before, 'its files left the disk');
    res = await api('GET', `/api/v1/properties/projects/${gone}`, { token: w.tok.viewer });
    assert.equal(res.status, 404);
    assert.equal(sql(`SELECT COUNT(*) FROM property_typologies WHERE tenant_id = ${w.t.id} AND project_id = ${gone}`), '0');
    assert.equal(sql(`SELECT COALESCE(project_id, 'none') FROM properties WHERE tenant_id = ${w.t.id} AND id = ${unit}`), 'none',
        'the deleted unit keeps its record, outside any project');
    res = await api('POST', '/api/v1/properties/projects', { token: w.tok.manager, json: { name: 'Old phase' } });
    assert.equal(res.status, 201, 'the name is free again');
    const kept = await api('GET', `/api/v1/properties/projects/${pid}/files`, { token: w.tok.viewer });
    assert.equal(kept.status, 200, 'other projects keep their files');
});
