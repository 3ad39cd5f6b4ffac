// New-build projects: a developer relation, unique names, typologies, units,
// and duplicating a unit up to 20 copies.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, createProperty, multipart, png, show, sql, world } from './_props.mjs';

let w, other, developer;

before(async () => {
    w = await world('pprj');
    other = await world('pprjo');
    sql(`INSERT INTO relations (tenant_id, name, type) VALUES (${w.t.id}, 'Costa Builders SL', 'developer')`);
    developer = Number(sql(`SELECT MAX(id) FROM relations WHERE tenant_id = ${w.t.id}`));
});

test('a project with typologies and units; its name is unique', async () => {
    let res = await api('POST', '/api/v1/properties/projects', { token: w.tok.manager, json: {
        name: 'Residencial Mar Azul', developer_id: developer, type: 'apartment', total_units: 24,
        price_list_url: 'https://builder.example/prices.pdf', latitude: 38.64, longitude: 0.05,
        descriptions: { en: { title: 'Sea-front homes', text: 'Phase one.' } } } });
    assert.equal(res.status, 201, show(res));
    const pid = res.json.data.id;
    assert.equal(res.json.data.availability, 'available');
    res = await api('POST', '/api/v1/properties/projects', { token: w.tok.manager, json: { name: 'Residencial Mar Azul' } });
    assert.equal(res.status, 409);
    res = await api('POST', '/api/v1/properties/projects', { token: w.tok.manager,
        json: { name: 'X', developer_id: 999999, latitude: 100, price_list_url: 'ftp://x', colour: 1 } });
    assert.equal(res.status, 422);
    assert.deepEqual(Object.keys(res.json.error.fields).sort(), ['colour', 'developer_id', 'latitude', 'price_list_url']);
    res = await api('POST', '/api/v1/properties/projects', { token: w.tok.agent, json: { name: 'Agent project' } });
    assert.equal(res.status, 403);
    res = await api('POST', `/api/v1/properties/projects/${pid}/typologies`, { token: w.tok.manager,
        json: { name: 'Type A — 2 bedrooms', colour: '#1f6feb' } });
    assert.equal(res.status, 201, show(res));
    const typ = res.json.data.id;
    const unit = await createProperty(w.tok.manager, { type: 'apartment', new_build: true, project_id: pid,
        typology_id: typ, price: 29000000, beds: 2, features: ['pool'], labels: ['phase 1'],
        descriptions: { en: { title: 'Unit', text: 'Two bedrooms.' } } });
    res = await api('POST', `/api/v1/properties/${unit.id}/duplicate`, { token: w.tok.manager, json: { count: 21 } });
    assert.equal(res.status, 422);
    res = await api('POST', `/api/v1/properties/${unit.id}/duplicate`, { token: w.tok.manager, json: { count: 20 } });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json.data.ids.length, 20);
    const copy = await api('GET', `/api/v1/properties/${res.json.data.ids[19]}`, { token: w.tok.viewer });
    assert.equal(copy.json.data.project_id, pid);
    assert.equal(copy.json.data.typology_id, typ);
    assert.deepEqual(copy.json.data.features, ['pool']);
    assert.equal(copy.json.data.descriptions.en.text, 'Two bedrooms.');
    assert.notEqual(copy.json.data.ref, unit.ref);
    const project = await api('GET', `/api/v1/properties/projects/${pid}`, { token: w.tok.viewer });
    assert.equal(project.json.data.units.length, 21);
    assert.equal(project.json.data.typologies[0].name, 'Type A — 2 bedrooms');
    const units = await api('GET', `/api/v1/properties?project_id=${pid}&limit=1`, { token: w.tok.viewer });
    assert.equal(units.json.total, 21);
    const foreign = await api('GET', `/api/v1/properties/projects/${pid}`, { token: other.tok.admin });
    assert.equal(foreign.status, 404);
    const foreignUnit = await api('POST', '/api/v1/properties', { token: other.tok.admin, json: { type: 'apartment', project_id: pid } });
    assert.equal(foreignUnit.status, 422, 'another agency\'s project is no project');
});

test('a project is edited field by field; refusals name the field', async () => {
    let res = await api('POST', '/api/v1/properties/projects', { token: w.tok.manager, json: {
        name: 'Las Lomas', type: 'villa', total_units: 12, virtual_tour_url: 'https://tour.example/lomas' } });
    assert.equal(res.status, 201, show(res));
    const pid = res.json.data.id;
    assert.equal(res.json.data.developer_name, null);
    res = await api('PATCH', `/api/v1/properties/projects/${pid}`, { token: w.tok.manager, json: {
        developer_id: developer, availability: 'sold_out', total_units: null, type: null,
        descriptions: { es: { title: 'Villas', text: 'Fase dos.' } } } });
    assert.equal(res.status, 200, show(res));
    const p = res.json.data;
    assert.equal(p.name, 'Las Lomas', 'what the body leaves out is kept');
    assert.equal(p.virtual_tour_url, 'https://tour.example/lomas');
    assert.equal(p.developer_id, developer);
    assert.equal(p.developer_name, 'Costa Builders SL');
    assert.equal(p.availability, 'sold_out');
    assert.equal(p.total_units, null);
    assert.equal(p.type, null);
    assert.equal(p.descriptions.es.text, 'Fase dos.');
    res = await api('PATCH', `/api/v1/properties/projects/${pid}`, { token: w.tok.manager, json: {
        price_list_url: 'javascript:alert(1)', availability: '', total_units: 1.5, longitude: 200, owner: 1 } });
    assert.equal(res.status, 422);
    assert.deepEqual(Object.keys(res.json.error.fields).sort(),
        ['availability', 'longitude', 'owner', 'price_list_url', 'total_units']);
    res = await api('PATCH', `/api/v1/properties/projects/${pid}`, { token: w.tok.manager, json: { name: 'Residencial Mar Azul' } });
    assert.equal(res.status, 409);
    assert.equal(res.json.error.fields.name, 'already in use');
    res = await api('PATCH', `/api/v1/properties/projects/${pid}`, { token: w.tok.manager, json: { name: 'Las Lomas' } });
    assert.equal(res.status, 200, 'its own name is no conflict');
    res = await api('PATCH', `/api/v1/properties/projects/${pid}`, { token: w.tok.agent, json: { name: 'Mine' } });
    assert.equal(res.status, 403);
    res = await api('PATCH', `/api/v1/properties/projects/${pid}`, { token: other.tok.admin, json: { name: 'Theirs' } });
    assert.equal(res.status, 404);
    const list = await api('GET', '/api/v1/properties/projects', { token: w.tok.viewer });
    const row = list.json.data.find((x) => x.id === pid);
    assert.equal(row.developer_name, 'Costa Builders SL');
    assert.equal(row.availability, 'sold_out');
});

test('typologies are renamed, recoloured and deleted; their units and files stay', async () => {
    let res = await api('POST', '/api/v1/properties/projects', { token: w.tok.manager, json: { name: 'Altos del Sol' } });
    const pid = res.json.data.id;
    const add = async (name) => (await api('POST', `/api/v1/properties/projects/${pid}/typologies`,
        { token: w.tok.manager, json: { name, colour: '#00aa00' } })).json.data.id;
    const a = await add('A'), b = await add('B');
    const unit = await createProperty(w.tok.manager, { project_id: pid, typology_id: a });
    const m = multipart({ typology_id: String(a) }, [{ filename: 'plan.png', type: 'image/png', data: png(300, 200) }]);
    res = await api('POST', `/api/v1/properties/projects/${pid}/files`, { token: w.tok.manager, body: m.body,
        headers: { 'content-type': m.type } });
    assert.equal(res.status, 201, show(res));
    res = await api('PATCH', `/api/v1/properties/projects/${pid}/typologies/${a}`, { token: w.tok.manager,
        json: { name: 'A — penthouse' } });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json.data.name, 'A — penthouse');
    assert.equal(res.json.data.colour, '#00aa00', 'the colour is kept');
    res = await api('PATCH', `/api/v1/properties/projects/${pid}/typologies/${a}`, { token: w.tok.manager,
        json: { colour: null } });
    assert.equal(res.json.data.colour, null);
    res = await api('PATCH', `/api/v1/properties/projects/${pid}/typologies/${a}`, { token: w.tok.manager,
        json: { name: '', colour: 'red', size: 3 } });
    assert.equal(res.status, 422);
    assert.deepEqual(Object.keys(res.json.error.fields).sort(), ['colour', 'name', 'size']);
    res = await api('PATCH', `/api/v1/properties/projects/${pid}/typologies/${a}`, { token: w.tok.manager, json: { name: 'B' } });
    assert.equal(res.status, 409);
    res = await api('PATCH', `/api/v1/properties/projects/${pid}/typologies/${a}`, { token: w.tok.agent, json: { name: 'Z' } });
    assert.equal(res.status, 403);
    res = await api('DELETE', `/api/v1/properties/projects/${pid}/typologies/${a}`, { token: other.tok.admin });
    assert.equal(res.status, 404, 'another agency');
    const elsewhere = (await api('POST', '/api/v1/properties/projects', { token: w.tok.manager, json: { name: 'Other project' } })).json.data.id;
    res = await api('DELETE', `/api/v1/properties/projects/${elsewhere}/typologies/${a}`, { token: w.tok.manager });
    assert.equal(res.status, 404, 'a typology of another project');
    res = await api('DELETE', `/api/v1/properties/projects/${pid}/typologies/${a}`, { token: w.tok.manager });
    assert.equal(res.status, 204);
    const p = (await api('GET', `/api/v1/properties/projects/${pid}`, { token: w.tok.viewer })).json.data;
    assert.deepEqual(p.typologies.map((t) => t.name), ['B']);
    assert.equal(p.units.length, 1);
    assert.equal(p.units[0].id, unit.id);
    assert.equal(p.units[0].typology_id, null);
    assert.equal(p.files.length, 1);
    assert.equal(p.files[0].typology_id, null, 'the file stays, of the whole project');
    res = await api('DELETE', `/api/v1/properties/projects/${pid}/typologies/${a}`, { token: w.tok.manager });
    assert.equal(res.status, 404, 'gone');
    assert.ok(b);
});

test('the project pages: a viewer reads them without the forms; a manager gets the forms', async () => {
    const pid = (await api('POST', '/api/v1/properties/projects', { token: w.tok.manager,
        json: { name: 'Pages <b>Project</b>', developer_id: developer } })).json.data.id;
    await api('POST', `/api/v1/properties/projects/${pid}/typologies`, { token: w.tok.manager, json: { name: 'T1' } });
    const page = async (token, p) => api('GET', p, { token, headers: { accept: 'text/html' } });
    let res = await page(w.tok.viewer, `/properties/projects/${pid}`);
    assert.equal(res.status, 200, show(res));
    const viewer = res.text;
    assert.match(viewer, /Pages &lt;b&gt;Project&lt;\/b&gt;/, 'the name is escaped');
    assert.match(viewer, /Costa Builders SL/);
    assert.doesNotMatch(viewer, /Add a typology|data-duplicate|Edit T1|data-upload/);
    res = await page(w.tok.manager, `/properties/projects/${pid}`);
    const manager = res.text;
    assert.match(manager, /Add a typology/);
    assert.match(manager, /Edit T1/);
    assert.match(manager, /data-upload/);
    res = await page(w.tok.viewer, '/properties/projects');
    assert.equal(res.status, 200);
    assert.match(res.text, new RegExp(`/properties/projects/${pid}"`));
    assert.doesNotMatch(res.text, /New project/);
    res = await page(w.tok.viewer, `/properties/projects/${pid}/edit`);
    assert.equal(res.status, 403);
    res = await page(other.tok.admin, `/properties/projects/${pid}`);
    assert.equal(res.status, 404, 'another agency');
    res = await page(w.tok.agent, `/properties/new?project_id=${pid}`);
    assert.match(res.text, /name="project_id" data-type="id" value="\d+"/);
    assert.match(res.text, />T1<\/option>/);
    res = await page(other.tok.admin, `/properties/new?project_id=${pid}`);
    assert.doesNotMatch(res.text, /name="project_id"/, 'another agency\'s project is not offered');
});
