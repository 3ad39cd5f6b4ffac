// New-build projects in a real browser: create a project with a developer
// (a refused link shown beside its input first), add a typology, create a
// unit from the project's page, duplicate it three times, upload a file
// tagged with the typology, and see it all on the project's page and list.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SHOTS, closeBrowser, createUser, logIn, openBrowser, url } from './_browser.mjs';
import { png, sql } from '../../plugins/properties/tests/_props.mjs';

let browser, page, tmp;
const tag = randomBytes(3).toString('hex');
const developer = `Costa Builders ${tag}`;
const project = `Residencial Mar Azul ${tag}`;

before(async () => {
    const tenantId = sql("SELECT id FROM tenants WHERE slug = 'demo'");
    sql(`INSERT INTO relations (tenant_id, name, type) VALUES (${tenantId}, '${developer}', 'developer')`);
    tmp = mkdtempSync(path.join(tmpdir(), 'tesoro-e2e-projects-'));
    writeFileSync(path.join(tmp, 'plan-type-a.png'), png(640, 480));
    // The refused link answers 422, on purpose.
    browser = await openBrowser('projects', { ignore: /status of 422/ });
    page = browser.page;
    page.on('dialog', (d) => d.accept());
    await logIn(page, createUser('prj', { role: 'manager', name: 'Projects Manager' }));
});

after(async () => {
    await closeBrowser(browser);
    if (tmp) {
        rmSync(tmp, { recursive: true, force: true });
    }
});

describe('new-build projects in the browser', { timeout: 180_000 }, () => {
    let pid;

    test('create a project with a developer; a refused link is shown beside its input', async () => {
        await page.goto(url('/properties'));
        await Promise.all([page.waitForURL(url('/properties/projects')),
            page.getByRole('link', { name: 'New-build projects' }).first().click()]);
        await Promise.all([page.waitForURL(url('/properties/projects/new')),
            page.getByRole('link', { name: 'New project' }).click()]);
        await page.getByLabel('Name').fill(project);
        const combo = page.getByRole('combobox', { name: /Developer/ });
        await combo.fill(developer.slice(0, 18));
        await page.getByRole('option', { name: developer }).waitFor();
        await combo.press('ArrowDown');
        await combo.press('Enter');
        assert.equal(await combo.inputValue(), developer);
        await page.getByLabel('Type').selectOption('apartment');
        await page.getByLabel('Availability').selectOption('under_construction');
        await page.getByLabel('Total units').fill('40');
        await page.getByLabel('Price list (link)').fill('ftp://builder.example/prices.pdf');
        await page.getByLabel('Virtual tour (link)').fill('https://tour.example/mar-azul');
        await page.locator('#title-en').fill('Sea-front apartments');
        await page.locator('#text-en').fill('Phase one: 40 apartments.');
        await page.getByRole('button', { name: 'Save' }).click();
        const err = page.locator('[data-for="price_list_url"]');
        await err.waitFor({ state: 'visible' });
        assert.match(await err.textContent(), /http\(s\) URL/);
        const input = page.getByLabel('Price list (link)');
        assert.equal(await input.getAttribute('aria-invalid'), 'true');
        assert.match(await input.getAttribute('aria-describedby'), /error-price_list_url/);
        assert.equal(await page.getByLabel('Name').inputValue(), project, 'nothing typed is lost');
        await page.screenshot({ path: path.join(SHOTS, 'project-form.png'), fullPage: true });
        await input.fill('https://builder.example/prices.pdf');
        await Promise.all([page.waitForURL(/\/properties\/projects\/\d+$/), page.getByRole('button', { name: 'Save' }).click()]);
        pid = Number(new URL(page.url()).pathname.split('/').pop());
        assert.match(await page.getByRole('heading', { level: 1 }).textContent(), new RegExp(project));
        assert.equal(await page.locator('#developer a').textContent(), developer);
        assert.equal(await page.getByRole('link', { name: 'https://builder.example/prices.pdf' }).count(), 1);
        assert.match(await page.locator('#desc-en').textContent(), /Phase one: 40 apartments\./);
    });

    test('add a typology, create a unit from the project, duplicate it three times', async () => {
        await page.locator('#typ-name').fill('Type A, 2 bedrooms');
        await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Add typology' }).click()]);
        const typ = page.locator('#typologies li[data-typology]');
        assert.equal(await typ.count(), 1);
        assert.match(await typ.textContent(), /Type A, 2 bedrooms/);

        // Rename it through its own form, then back.
        await typ.locator('summary').click();
        await typ.getByLabel('Name').fill('Type A');
        await Promise.all([page.waitForEvent('load'), typ.getByRole('button', { name: 'Save typology' }).click()]);
        assert.match(await typ.locator('strong').textContent(), /^Type A$/);
        await typ.locator('summary').click();
        await typ.getByLabel('Name').fill('Type A, 2 bedrooms');
        await Promise.all([page.waitForEvent('load'), typ.getByRole('button', { name: 'Save typology' }).click()]);

        await Promise.all([page.waitForURL(url(`/properties/new?project_id=${pid}`)),
            page.getByRole('link', { name: 'New unit' }).click()]);
        assert.equal(await page.locator('#project-link').textContent(), project);
        await page.getByLabel('Typology').selectOption({ label: 'Type A, 2 bedrooms' });
        await page.getByLabel('Price (whole units)').fill('290000');
        await page.getByLabel('Bedrooms').fill('2');
        await Promise.all([page.waitForURL(/\/properties\/\d+$/), page.getByRole('button', { name: 'Save' }).click()]);
        assert.equal(await page.locator('#project-link').textContent(), project, 'the unit names its project');

        await Promise.all([page.waitForURL(url(`/properties/projects/${pid}`)), page.locator('#project-link').click()]);
        assert.equal(await page.locator('#units tbody tr').count(), 1);
        await page.getByLabel('Copies (1–20)').fill('3');
        await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Duplicate' }).click()]);
        const units = page.locator('#units tbody tr');
        assert.equal(await units.count(), 4);
        assert.equal(await page.locator('[data-unit-count]').textContent(), '4');
        assert.equal(await units.filter({ hasText: 'Type A, 2 bedrooms' }).count(), 4, 'the copies keep the typology');
        assert.equal(await units.locator('a[href^="/properties/"]').count(), 4);
        assert.match(await units.first().textContent(), /290,000 EUR/);
        assert.match(await typ.textContent(), /units: 4/);
        await Promise.all([page.waitForURL(url(`/properties?project_id=${pid}`)), page.locator('#units-in-list').click()]);
        assert.match(await page.locator('#project-filter').textContent(), new RegExp(`Units of ${project}`));
        assert.equal(await page.locator('#results tbody tr').count(), 4);
        assert.equal(await page.locator('#results tbody tr a', { hasText: /\S/ }).count(), 4, 'each unit linked');
        await page.goBack();
        assert.equal(await typ.locator('.swatch').evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(31, 111, 235)');
    });

    test('upload a file tagged with the typology; it is listed, downloads and can be deleted', async () => {
        await page.getByLabel('Files (PDF, JPEG, PNG, WebP)').setInputFiles(path.join(tmp, 'plan-type-a.png'));
        await page.getByLabel('Typology', { exact: true }).selectOption({ label: 'Type A, 2 bedrooms' });
        await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Upload' }).click()]);
        const row = page.locator('#files tbody tr');
        assert.equal(await row.count(), 1);
        assert.match(await row.textContent(), /plan-type-a\.png/);
        assert.match(await row.textContent(), /Type A, 2 bedrooms/);
        const href = await row.locator('a').first().getAttribute('href');
        const status = await page.evaluate(async (u) => (await fetch(u)).status, href);
        assert.equal(status, 200);
        assert.match(await page.locator('#typologies li').textContent(), /files: 1/);
        await page.screenshot({ path: path.join(SHOTS, 'project.png'), fullPage: true });

        await page.goto(url('/properties/projects'));
        const listed = page.locator('#projects tbody tr', { hasText: project });
        assert.match(await listed.textContent(), new RegExp(developer));
        assert.match(await listed.locator('[data-units]').textContent(), /^4 of 40/);
        assert.match(await listed.textContent(), /Under construction/);
        await page.screenshot({ path: path.join(SHOTS, 'projects.png') });

        await page.goto(url(`/properties/projects/${pid}`));
        await Promise.all([page.waitForEvent('load'),
            page.getByRole('button', { name: 'Delete plan-type-a.png' }).click()]);
        assert.equal(await page.locator('#files tbody tr').count(), 0);
        assert.deepEqual(browser.errors, []);
    });
});
