// The deal settings page: admins only, CSRF-protected, checked by the
// settings API's own rules, what it saves read back through the API.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, session, sessionCsrf, show } from '../../../tests/api/_http.mjs';
import { agency } from './_deals.mjs';

let A, jar, csrf;
const post = (form, j = jar) => request('POST', '/deals/settings', { host: A.t.host, jar: j, form });
const get = (j = jar) => request('GET', '/deals/settings', { host: A.t.host, jar: j });

before(async () => {
    A = await agency('settingspage');
    jar = await session(A.t, A.t.admin);
    csrf = await sessionCsrf(A.t, jar);
});

describe('deal settings page', () => {
    test('an admin sees the settings and saves them', async () => {
        const page = await get();
        assert.equal(page.status, 200, show(page));
        assert.match(page.text, /id="ref_prefix" name="ref_prefix" value="D-"/);
        assert.match(page.text, /name="sold_on_won" value="1" checked/);
        const r = await post({ _csrf: csrf, ref_prefix: 'VT-', ref_padding: '3', ref_suffix: '/26', next_number: '1' });
        assert.equal(r.status, 200, show(r));
        assert.match(r.text, /Settings saved/);
        assert.match(r.text, /id="ref-example">VT-001\/26</);
        const s = (await A.as('viewer')('GET', '/api/v1/deals/settings')).json.data;
        assert.equal(s.ref_prefix, 'VT-');
        assert.equal(s.ref_padding, 3);
        assert.equal(s.ref_suffix, '/26');
        assert.equal(s.sold_on_won, false, 'an unticked box turns it off');
        const on = await post({ _csrf: csrf, ref_prefix: 'VT-', ref_padding: '3', ref_suffix: '/26', next_number: '40', sold_on_won: '1' });
        assert.equal(on.status, 200, show(on));
        const s2 = (await A.as('viewer')('GET', '/api/v1/deals/settings')).json.data;
        assert.equal(s2.sold_on_won, true);
        assert.equal(s2.next_number, 40);
    });

    test('bad values are refused by the API\'s rules, naming the field, and nothing changes', async () => {
        for (const [form, field] of [[{ ref_prefix: 'bad prefix!' }, 'ref_prefix'], [{ ref_padding: 'abc' }, 'ref_padding'],
            [{ ref_padding: '13' }, 'ref_padding'], [{ next_number: '5' }, 'next_number']]) {
            const r = await post({ _csrf: csrf, ref_prefix: 'VT-', ref_padding: '3', ref_suffix: '/26', next_number: '40', ...form });
            assert.equal(r.status, 422, show(r));
            assert.match(r.text, new RegExp(`role="alert"><span class="msg">${field}: `), field);
        }
        const s = (await A.as('viewer')('GET', '/api/v1/deals/settings')).json.data;
        assert.deepEqual([s.ref_prefix, s.ref_padding, s.next_number], ['VT-', 3, 40]);
    });

    test('without the CSRF token, or for a manager, nothing is saved', async () => {
        assert.equal((await post({ ref_prefix: 'NO-' })).status, 403);
        const mj = await session(A.t, A.users.manager);
        const mc = await sessionCsrf(A.t, mj);
        assert.equal((await get(mj)).status, 403);
        assert.equal((await post({ _csrf: mc, ref_prefix: 'NO-' }, mj)).status, 403);
        assert.equal((await A.as('viewer')('GET', '/api/v1/deals/settings')).json.data.ref_prefix, 'VT-');
    });
});
