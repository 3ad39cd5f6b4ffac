// Shared setup for the contacts suites: a fresh tenant with an admin, two
// agents and a viewer, each with an API token, and short request helpers.
import { adminToken, api, newTenant, newToken, newUser } from '../../../tests/api/_http.mjs';

export async function world(label) {
    const t = newTenant(label);
    const w = { t, tokens: {}, users: {} };
    w.tokens.admin = await adminToken(t);
    w.users.admin = t.admin;
    for (const [name, role] of [['agent', 'agent'], ['agent2', 'agent'], ['viewer', 'viewer'],
        ['manager', 'manager']]) {
        w.users[name] = newUser(t, role, { name: `${name} ${label}` });
        w.tokens[name] = newToken(t, w.users[name].email);
    }
    w.as = (who) => ({
        get: (p) => api('GET', p, { token: w.tokens[who] }),
        post: (p, json) => api('POST', p, { token: w.tokens[who], json: json ?? {} }),
        patch: (p, json) => api('PATCH', p, { token: w.tokens[who], json }),
        put: (p, json) => api('PUT', p, { token: w.tokens[who], json }),
        del: (p) => api('DELETE', p, { token: w.tokens[who] }),
    });
    return w;
}

// The tags a test set, without the temperature tag ("Hot Lead", "Warm Lead",
// "Cold Lead") that lead scoring adds in the background after a change.
export const ownTags = (tags) => (tags ?? []).filter((t) => !/^(Hot|Warm|Cold) Lead$/.test(t));
