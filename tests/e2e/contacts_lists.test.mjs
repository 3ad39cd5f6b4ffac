// The contacts list pages in a real browser: the column chooser (hide and
// order columns, remembered, saved with a view) and a batch action on every
// record matching the filter, with its confirmation.
// Same environment as login.test.mjs (TS_BASE, TS_CLI, TS_CONF, CHROMIUM); set-up in _browser.mjs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { SHOTS, closeBrowser, createUser, logIn, openBrowser, url } from './_browser.mjs';

const tag = randomBytes(4).toString('hex');

let browser, page, errors;
before(async () => {
    browser = await openBrowser('lists');
    ({ page, errors } = browser);
    await logIn(page, createUser('cl'));
});

after(() => closeBrowser(browser));

const heads = async () => (await page.locator('table.list thead th[data-col]:visible').allTextContents()).map((s) => s.trim());

describe('list columns and batch on a filter', { timeout: 120_000 }, () => {
    before(async () => {
        for (const first of ['Ada', 'Bea', 'Cris']) {
            await page.goto(url('/leads/new'));
            await page.getByLabel('First name').fill(first);
            await page.getByLabel('Last name').fill(`Cols ${tag}`);
            await page.getByLabel('Status').selectOption('prospect');
            await page.getByLabel('Tags (comma-separated)').fill(`c-${tag}`);
            await Promise.all([page.waitForURL(/\/leads\/\d+$/), page.getByRole('button', { name: 'Save' }).click()]);
        }
    });

    test('the column chooser hides and orders columns, remembers them and saves them with a view', async () => {
        await page.goto(url(`/leads?tag=c-${tag}`));
        assert.deepEqual(await heads(), ['Name', 'Status', 'Stage', 'Source', 'Email or phone', 'Tags', 'Created']);
        const chooser = page.locator('details.column-chooser');
        await chooser.locator('summary').click();
        await chooser.getByRole('checkbox', { name: 'Tags', exact: true }).uncheck();
        await chooser.getByRole('button', { name: 'Move Created up' }).click();
        await chooser.getByRole('button', { name: 'Move Created up' }).click();
        // The first move passes the hidden Tags column, the second passes Email or phone.
        const want = ['Name', 'Status', 'Stage', 'Source', 'Created', 'Email or phone'];
        assert.deepEqual(await heads(), want);
        const first = page.locator('table.list tbody tr').first().locator('td:visible');
        assert.equal(await first.count(), want.length + 1, 'the cells follow their headers');
        assert.match(await first.nth(5).textContent(), /^\d{4}-\d{2}-\d{2}$/, 'the Created cell moved with its header');
        await page.reload();
        assert.deepEqual(await heads(), want, 'remembered after a reload');
        await page.getByLabel('Save as view').fill(`Cols ${tag}`);
        await Promise.all([page.waitForURL(/view=\d+/), page.getByRole('button', { name: 'Save view' }).click()]);
        // Forget the remembered choice: the view alone brings the columns back.
        await page.evaluate(() => window.localStorage.clear());
        await page.goto(url('/leads'));
        assert.deepEqual(await heads(), ['Name', 'Status', 'Stage', 'Source', 'Email or phone', 'Tags', 'Created']);
        await page.getByRole('navigation', { name: 'Saved views' }).getByRole('link', { name: `Cols ${tag}` }).click();
        await page.waitForURL(/view=\d+/);
        assert.deepEqual(await heads(), want, 'the saved view keeps its columns');
        await page.screenshot({ path: path.join(SHOTS, 'leads-columns.png'), fullPage: true });
    });

    test('batch on the whole filter: the count is shown, asked first, applied to every match', async () => {
        await page.goto(url(`/leads?tag=c-${tag}`));
        assert.equal(await page.locator('table.list tbody tr').count(), 3);
        await page.locator('table.list tbody input[name="id"]').first().check();
        const all = page.getByLabel(/Apply to all 3 matching the filter/);
        await all.check();
        await page.locator('#batch-status').selectOption('qualified');
        let asked = '';
        page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
        await page.getByRole('button', { name: 'Set status' }).click();
        assert.match(asked, /all 3 leads matching the filter/);
        await page.goto(url(`/leads?tag=c-${tag}&status=qualified`));
        assert.equal(await page.locator('table.list tbody tr').count(), 0, 'dismissed: nothing changed');
        await page.goto(url(`/leads?tag=c-${tag}`));
        await page.locator('table.list tbody input[name="id"]').first().check();
        await page.getByLabel(/Apply to all 3 matching the filter/).check();
        await page.locator('#batch-status').selectOption('qualified');
        page.once('dialog', (d) => d.accept());
        await Promise.all([page.waitForURL(/\/leads\?tag=/), page.getByRole('button', { name: 'Set status' }).click()]);
        await page.goto(url(`/leads?tag=c-${tag}&status=qualified`));
        assert.equal(await page.locator('table.list tbody tr').count(), 3, 'all three, not only the ticked one');
        assert.deepEqual(errors, []);
    });

    test('the list links to the CSV import wizard', async () => {
        await page.goto(url('/relations'));
        await Promise.all([page.waitForURL(/\/imports\/new\?kind=relations/), page.getByRole('link', { name: 'Import CSV' }).click()]);
    });
});
