// Custom fields on the lead form and the property form in a real browser: a tenant's fields script
// defines them, the form shows an input per type with the script's labels, a
// refused value is named beside its field with what was typed kept, and the
// saved values show on the record page and come back into the edit form.
// The tenant is a fresh one (its own host under .localhost, which Chromium
// sends to loopback), so that no other suite meets these definitions.
// Same environment as login.test.mjs (TS_BASE, TS_CLI, TS_CONF, CHROMIUM); set-up in _browser.mjs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SHOTS, closeBrowser, openBrowser } from './_browser.mjs';
import { PORT, adminToken, api, newTenant, newUser, show } from '../api/_http.mjs';

const SCRIPT = `
field{kind = "lead", key = "deposit", type = "money", label = {en = "Deposit ready"},
  validate = function(v, rec) return v >= 1000 or "at least 1000" end}
field{kind = "lead", key = "viewing_day", type = "select", label = "Viewing day", options = {"saturday", "sunday"}}
field{kind = "lead", key = "move_date", type = "date", label = "Move date"}
field{kind = "lead", key = "has_pets", type = "boolean", label = "Has pets"}
field{kind = "lead", key = "rooms", type = "multiselect", label = "Rooms wanted", options = {"study", "garage"}}
field{kind = "property", key = "pool_size", type = "number", label = "Pool size",
  validate = function(v, rec) return v > 0 or "must be positive" end}
field{kind = "property", key = "view", type = "multiselect", label = "Views", options = {"sea", "mountain"}}
field{kind = "property", key = "gated", type = "boolean", label = "Gated community"}
`;

let browser, page, errors, t, token;
const url = (p) => `http://${t.host}:${PORT}${p}`;

before(async () => {
    t = newTenant('cfe2e');
    token = await adminToken(t);
    const put = await api('PUT', '/api/v1/scripts/fields.e2e', { token, json: { code: SCRIPT } });
    assert.ok([200, 201].includes(put.status), show(put));
    const agent = newUser(t, 'agent', { name: 'Custom Agent' });
    // The refused save answers 422, which Chromium logs as a failed load.
    browser = await openBrowser('custom', { ignore: /status of 422/ });
    ({ page, errors } = browser);
    await page.goto(url('/login'));
    await page.getByLabel('Email').fill(agent.email);
    await page.getByLabel('Password').fill(agent.password);
    await Promise.all([page.waitForURL(url('/')), page.getByRole('button', { name: 'Log in' }).click()]);
});

after(() => closeBrowser(browser));

test('the lead form takes custom values by type, names a refused one and shows the saved ones', { timeout: 90_000 }, async () => {
    await page.goto(url('/leads/new'));
    await page.getByLabel('First name').fill('Custom');
    await page.getByLabel('Last name').fill('Browser');
    const deposit = page.getByLabel('Deposit ready');
    assert.equal(await deposit.getAttribute('type'), 'number');
    await deposit.fill('500');
    await page.getByLabel('Viewing day').selectOption('sunday');
    assert.equal(await page.getByLabel('Move date').getAttribute('type'), 'date');
    await page.getByLabel('Move date').fill('2027-04-15');
    await page.getByLabel('Has pets').check();
    const rooms = page.getByRole('group', { name: 'Rooms wanted' });
    await rooms.getByLabel('garage').check();
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Save' }).click()]);

    // Refused: the message sits beside the field, described by it; the typed values are kept.
    assert.match(page.url(), /\/leads$/);
    const err = page.locator('#f-custom-deposit-error');
    assert.equal((await err.textContent()).trim(), 'at least 1000');
    assert.equal(await deposit.getAttribute('aria-invalid'), 'true');
    assert.equal(await deposit.getAttribute('aria-describedby'), 'f-custom-deposit-error');
    assert.equal(await deposit.inputValue(), '500');
    assert.equal(await page.getByLabel('Viewing day').inputValue(), 'sunday');
    assert.ok(await page.getByLabel('Has pets').isChecked());
    assert.ok(await rooms.getByLabel('garage').isChecked());
    await page.screenshot({ path: path.join(SHOTS, 'custom-fields-refused.png'), fullPage: true });

    await deposit.fill('2500');
    await Promise.all([page.waitForURL(/\/leads\/\d+$/), page.getByRole('button', { name: 'Save' }).click()]);
    const details = page.locator('dl.props');
    const value = async (label) => (await details.locator(`dt:text-is("${label}") + dd`).textContent()).trim();
    assert.equal(await value('Deposit ready'), '2500');
    assert.equal(await value('Viewing day'), 'sunday');
    assert.equal(await value('Move date'), '2027-04-15');
    assert.equal(await value('Has pets'), 'Yes');
    assert.equal(await value('Rooms wanted'), 'garage');
    const id = page.url().split('/').pop();
    const rec = await api('GET', `/api/v1/leads/${id}`, { token });
    assert.deepEqual(rec.json.data.custom, { deposit: 2500, viewing_day: 'sunday', move_date: '2027-04-15',
        has_pets: true, rooms: ['garage'] });

    // The edit form holds them; unticking a box and saving clears it.
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/\/edit$/);
    assert.equal(await page.getByLabel('Deposit ready').inputValue(), '2500');
    assert.ok(await page.getByLabel('Has pets').isChecked());
    await page.getByLabel('Has pets').uncheck();
    await Promise.all([page.waitForURL(/\/leads\/\d+$/), page.getByRole('button', { name: 'Save' }).click()]);
    assert.equal(await value('Has pets'), 'No');
    assert.deepEqual(errors, []);
});

test('the property form (sent by properties.js) takes custom values and shows the refusal beside the field', { timeout: 90_000 }, async () => {
    await page.goto(url('/properties/new'));
    await page.getByLabel('Type').selectOption('villa');
    await page.getByLabel('Town').fill('Moraira');
    await page.getByLabel('Pool size').fill('-3');
    await page.getByRole('group', { name: 'Views' }).getByRole('checkbox', { name: 'sea', exact: true }).check();
    await page.getByRole('group', { name: 'Views' }).getByRole('checkbox', { name: 'mountain', exact: true }).check();
    await page.getByLabel('Gated community', { exact: true }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    const err = page.locator('[data-for="custom.pool_size"]');
    await err.waitFor({ state: 'visible' });
    assert.equal((await err.textContent()).trim(), 'must be positive');
    assert.equal(await page.getByLabel('Pool size').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Town').inputValue(), 'Moraira', 'nothing typed is lost');
    await page.getByLabel('Pool size').fill('28');
    await Promise.all([page.waitForURL(/\/properties\/\d+$/), page.getByRole('button', { name: 'Save' }).click()]);
    const id = page.url().split('/').pop();
    const rec = await api('GET', `/api/v1/properties/${id}`, { token });
    assert.deepEqual(rec.json.data.custom, { pool_size: 28, view: ['sea', 'mountain'], gated: true });
    assert.match(await page.locator('dl.props').textContent(), /Views\s*sea, mountain/);
    // Editing: unticking and emptying remove the values.
    await page.goto(url(`/properties/${id}/edit`));
    await page.getByLabel('Pool size').fill('');
    await page.getByRole('group', { name: 'Views' }).getByRole('checkbox', { name: 'sea', exact: true }).uncheck();
    await page.getByLabel('Gated community', { exact: true }).uncheck();
    await Promise.all([page.waitForURL(/\/properties\/\d+$/), page.getByRole('button', { name: 'Save' }).click()]);
    const after = await api('GET', `/api/v1/properties/${id}`, { token });
    assert.deepEqual(after.json.data.custom, { view: ['mountain'], gated: false });
    assert.deepEqual(errors, []);
});
