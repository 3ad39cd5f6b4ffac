// Helpers for the Lua, scoring and webhook suites: leads made straight in
// the test instance's MariaDB (the suites do not depend on the contacts API),
// and a script upload that insists it worked.
import assert from 'node:assert/strict';
import { api, show } from './_http.mjs';
import { dbConf, sql, sqlQuote } from './_stack.mjs';

const socket = () => process.env.TS_DB_SOCK ?? dbConf('main').socket;

export function q(query) {
    return sql(socket(), query);
}

/** A lead of tenant t (columns as given); returns its id. */
export function createLead(t, cols = {}) {
    const all = { kind: 'lead', first_name: 'Test', last_name: 'Lead', ...cols };
    const names = Object.keys(all);
    const values = names.map((k) => (all[k] === null ? 'NULL' : sqlQuote(all[k])));
    const rows = q(`INSERT INTO contacts (tenant_id, ${names.join(', ')}) VALUES (${Number(t.id)}, ${
        values.join(', ')}); SELECT LAST_INSERT_ID()`);
    return Number(rows[rows.length - 1][0]);
}

export function leadRow(t, id) {
    const rows = q(`SELECT COALESCE(score, ''), COALESCE(agent_id, '') FROM contacts WHERE tenant_id = ${
        Number(t.id)} AND id = ${Number(id)}`);
    return rows[0] ? { score: rows[0][0] === '' ? null : Number(rows[0][0]),
                       agent: rows[0][1] === '' ? null : Number(rows[0][1]) } : null;
}

export function tagsOf(t, id) {
    return q(`SELECT tag FROM tags WHERE tenant_id = ${Number(t.id)} AND entity = 'contact' AND entity_id = ${
        Number(id)} ORDER BY tag`).map((r) => r[0]);
}

export async function putScript(t, name, code, status = [200, 201]) {
    const res = await api('PUT', `/api/v1/scripts/${name}`, { token: t.adminToken, json: { code } });
    assert.ok([].concat(status).includes(res.status), show(res));
    return res;
}
