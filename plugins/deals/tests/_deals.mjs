// Fixtures for the deals suites: a tenant with users of every role, and
// contacts (and leads) made directly in the instance's MariaDB, the way the
// contacts plugin stores them.
import { adminToken, api, newTenant, newToken, newUser } from '../../../tests/api/_http.mjs';
import { sql, sqlQuote } from '../../../tests/api/_stack.mjs';

export const SOCK = process.env.TS_DB_SOCK;

export function db(query) {
    if (!SOCK) {
        throw new Error('TS_DB_SOCK must name the instance MariaDB socket (tests/run.sh sets it)');
    }
    return sql(SOCK, query);
}

/** A tenant with admin, manager, two agents and a viewer, each with a token. */
export async function agency(label) {
    const t = newTenant(label);
    const tokens = { admin: await adminToken(t) };
    const users = { admin: t.admin };
    for (const role of ['manager', 'agent', 'agent2', 'viewer']) {
        const u = newUser(t, role === 'agent2' ? 'agent' : role, { name: `${role} of ${label}` });
        users[role] = u;
        tokens[role] = newToken(t, u.email);
    }
    const as = (role) => (method, path, json) => api(method, path, { token: tokens[role], json });
    return { t, tokens, users, as };
}

/** A contact (kind 'contact') or a lead of the tenant; returns its id. */
export function person(t, { kind = 'contact', first = 'Ana', last = 'García', prefs = null } = {}) {
    const p = prefs ?? {};
    const rows = db(`INSERT INTO contacts (tenant_id, kind, first_name, last_name, email, transaction,
        budget_min, budget_max, bedrooms_min, preferences)
        VALUES (${Number(t.id)}, ${sqlQuote(kind)}, ${sqlQuote(first)}, ${sqlQuote(last)},
        ${sqlQuote(`${first.toLowerCase()}@example.test`)}, ${p.transaction ? sqlQuote(p.transaction) : 'NULL'},
        ${p.budget_min ?? 'NULL'}, ${p.budget_max ?? 'NULL'}, ${p.bedrooms_min ?? 'NULL'},
        ${p.json ? sqlQuote(JSON.stringify(p.json)) : 'NULL'});
        SELECT LAST_INSERT_ID();`);
    return Number(rows[0][0]);
}

/** A deal body with a fresh main contact. */
export function dealBody(t, extra = {}) {
    return { name: 'Villa in Jávea', type: 'buy', value: 45000000, contacts: [{ id: person(t), kind: 'main' }], ...extra };
}
