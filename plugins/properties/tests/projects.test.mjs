// New-build projects: a developer relation, unique names, typologies, units,
// and duplicating a unit up to 20 copies.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, createProperty, show, sql, world } from './_props.mjs';

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
