// The feeds API and the fetcher against a real HTTP server on 127.0.0.1 (the one port the
// test install's [fetch] allow lets through): configuration, sync jobs, conditional GETs,
// uploads, and every way a fetch can go wrong ending as a logged, failed run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { CLI, CONF, PORT, api, newToken, newUser, readConf, waitFor } from '../../../tests/api/_http.mjs';
import { SAMPLE, feed, property, sql, sqlValue, tenantWithToken } from './_kyero.mjs';
import fs from 'node:fs';

let t, other, server, base;
const hits = [];
const routes = new Map();

before(async () => {
    t = await tenantWithToken('kyapi');
    other = await tenantWithToken('kyapi2');
    const allow = (readConf().fetch?.allow ?? '').split(/\s+/).find((a) => a.startsWith('127.0.0.1:'));
    assert.ok(allow, '[fetch] allow names a 127.0.0.1 port for the test feed server');
    const port = Number(allow.split(':')[1]);
    server = http.createServer((req, res) => {
        hits.push({ url: req.url, inm: req.headers['if-none-match'] });
        const h = routes.get(req.url.split('?')[0]);
        if (!h) {
            res.writeHead(404).end('not here');
            return;
        }
        h(req, res);
    });
    await new Promise((res) => server.listen(port, '127.0.0.1', res));
    base = `http://127.0.0.1:${port}`;
});

after(() => server?.close());

async function runs(feedId, n) {
    return waitFor(async () => {
        const r = await api('GET', `/api/v1/feeds/${feedId}/runs`, { token: t.token });
        return r.json.data.length >= n && r.json.data.every((x) => x.status !== 'running') && r.json.data;
    }, { timeout: 30000, what: `${n} finished runs of feed ${feedId}` });
}

async function newFeed(json) {
    const r = await api('POST', '/api/v1/feeds', { token: t.token, json: { frequency: 'hourly', ...json } });
    assert.equal(r.status, 201, r.text);
    return r.json.data;
}

test('feeds: create with defaults, validation names the field, roles and tenants', async () => {
    const f = await newFeed({ name: 'Partner', url: `${base}/feed.xml`, commission: 2.5 });
    assert.equal(f.removal, 'removed_by_feed');
    assert.equal(f.commission_bp, 250);
    assert.equal(f.frequency, 'hourly');
    assert.equal(sqlValue(`SELECT cron FROM job_schedules WHERE tenant_id = ${t.id} AND name = 'kyero.feed.${f.id}'`),
        `${f.id % 60} * * * *`);
    const bad = await api('POST', '/api/v1/feeds', { token: t.token, json: { name: 'x', url: 'file:///etc/passwd',
        frequency: 'weekly', removal: 'delete', commission: 300, agent_id: 999999, role: 'admin' } });
    assert.equal(bad.status, 422);
    assert.deepEqual(Object.keys(bad.json.error.fields).sort(),
        ['agent_id', 'commission', 'frequency', 'removal', 'role', 'url']);
    const agent = newUser(t, 'agent');
    const agentToken = newToken(t, agent.email);
    assert.equal((await api('POST', '/api/v1/feeds', { token: agentToken, json: { name: 'n' } })).status, 403);
    assert.equal((await api('GET', `/api/v1/feeds/${f.id}`, { token: other.token })).status, 404);
    assert.equal((await api('GET', `/api/v1/feeds/${f.id}/runs`, { token: other.token })).status, 404);
    assert.equal((await api('POST', `/api/v1/feeds/${f.id}/sync`, { token: other.token })).status, 404);
    const patched = await api('PATCH', `/api/v1/feeds/${f.id}`, { token: t.token, json: { frequency: 'manual', agent_id: agent.id } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.json.data.agent_id, agent.id);
    assert.equal(sqlValue(`SELECT COUNT(*) FROM job_schedules WHERE tenant_id = ${t.id} AND name = 'kyero.feed.${f.id}'`), '0');
    assert.equal((await api('PATCH', `/api/v1/feeds/${f.id}`, { token: t.token, json: { tenant_id: 1 } })).status, 422);
});

test('sync now: the job fetches, imports, then an unchanged feed costs one 304', async () => {
    const body = fs.readFileSync(SAMPLE);
    routes.set('/sample.xml', (req, res) => {
        if (req.headers['if-none-match'] === '"s1"') {
            res.writeHead(304, { ETag: '"s1"' }).end();
            return;
        }
        res.writeHead(200, { 'Content-Type': 'application/xml', ETag: '"s1"' }).end(body);
    });
    const f = await newFeed({ name: 'Sample', url: `${base}/sample.xml`, frequency: 'manual' });
    assert.equal((await api('POST', `/api/v1/feeds/${f.id}/sync`, { token: t.token })).status, 202);
    let list = await runs(f.id, 1);
    assert.equal(list[0].status, 'ok', JSON.stringify(list[0]));
    assert.equal(list[0].created, 1);
    assert.equal(sqlValue(`SELECT agent_id IS NULL FROM properties WHERE tenant_id = ${t.id} AND ref = 'V3TEST'`), '1');
    await api('POST', `/api/v1/feeds/${f.id}/sync`, { token: t.token });
    list = await runs(f.id, 2);
    assert.equal(list[0].status, 'unchanged');
    assert.equal(hits.filter((h) => h.url === '/sample.xml').at(-1).inm, '"s1"');
    const shown = await api('GET', `/api/v1/feeds/${f.id}`, { token: t.token });
    assert.equal(shown.json.data.last_run.status, 'unchanged');
});

test('every failed fetch is a logged, failed run and the worker stays up', async () => {
    routes.set('/empty.xml', (req, res) => res.writeHead(200, { 'Content-Type': 'application/xml' }).end());
    routes.set('/page.html', (req, res) => res.writeHead(200, { 'Content-Type': 'text/html' })
        .end('<!DOCTYPE html><html><body>Maintenance</body></html>'));
    routes.set('/to-loopback', (req, res) => res.writeHead(302, { Location: `http://127.0.0.1:${PORT}/healthz` }).end());
    routes.set('/huge.xml', (req, res) => {
        // A text node that would grow to 2 GB: the fetch stops at its size cap.
        res.writeHead(200, { 'Content-Type': 'application/xml' });
        res.write('<?xml version="1.0"?><root><property><notes>');
        const chunk = Buffer.alloc(1 << 20, 'a');
        let sent = 0;
        const pump = () => {
            while (sent < 2048) {
                sent++;
                if (!res.write(chunk)) {
                    res.once('drain', pump);
                    return;
                }
            }
            res.end('</notes></property></root>');
        };
        res.on('close', () => { sent = 1e9; });
        pump();
    });
    const cases = {
        '/missing.xml': /HTTP 404/,
        '/empty.xml': /empty/,
        '/page.html': /DOCTYPE/,
        '/to-loopback': /refused to connect to 127\.0\.0\.1/,
        '/huge.xml': /larger than/,
    };
    for (const [p, why] of Object.entries(cases)) {
        const f = await newFeed({ name: p, url: `${base}${p}`, frequency: 'manual' });
        await api('POST', `/api/v1/feeds/${f.id}/sync`, { token: t.token });
        const [run] = await runs(f.id, 1);
        assert.equal(run.status, 'failed', p);
        assert.match(run.error, why, `${p}: ${run.error}`);
        const shown = await api('GET', `/api/v1/feeds/${f.id}`, { token: t.token });
        assert.equal(shown.json.data.failures, 1, `${p}: the failure shows on the feed`);
    }
    assert.equal(hits.filter((h) => h.url === '/healthz').length, 0, 'the redirect was never followed');
    const f = await newFeed({ name: 'private', url: 'http://169.254.169.254/latest/meta-data/', frequency: 'manual' });
    await api('POST', `/api/v1/feeds/${f.id}/sync`, { token: t.token });
    const [run] = await runs(f.id, 1);
    assert.match(run.error, /refused to connect to 169\.254\.169\.254/);
    assert.equal((await api('GET', '/healthz')).status, 200);
});

test('an uploaded file is imported at once with its report', async () => {
    const f = await newFeed({ name: 'Upload', frequency: 'manual' });
    const xml = feed([property({ id: 'u1', ref: 'UP-1' }), property({ id: 'u2', ref: '' })]);
    const boundary = 'kyeroboundary42';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="feed.xml"\r\n` +
        `Content-Type: application/xml\r\n\r\n${xml}\r\n--${boundary}--\r\n`;
    const r = await api('POST', `/api/v1/feeds/${f.id}/import`, { token: t.token, body,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.data.status, r.json.data.created, r.json.data.rejected], ['ok', 1, 1]);
    assert.equal(r.json.data.errors[0].reason, 'ref: required');
    const list = await api('GET', `/api/v1/feeds/${f.id}/runs`, { token: t.token });
    assert.equal(list.json.data[0].report.errors[0].reason, 'ref: required');
    const none = await api('POST', `/api/v1/feeds/${f.id}/import`, { token: t.token, json: {} });
    assert.equal(none.status, 422);
});

test('tesoro feed import accepts a URL', async () => {
    routes.set('/cli.xml', (req, res) => res.writeHead(200).end(feed([property({ id: 'c1', ref: 'CLI-1' })])));
    // Asynchronously: this process serves the feed while the CLI fetches it.
    const out = await new Promise((resolve) => execFile(CLI, ['-c', CONF, 'feed', 'import', '--tenant', t.slug,
        `${base}/cli.xml`], { encoding: 'utf8', timeout: 60000 }, (err, stdout, stderr) =>
        resolve({ status: err ? err.code : 0, stdout, stderr })));
    assert.equal(out.status, 0, out.stdout + out.stderr);
    const r = { report: JSON.parse(out.stdout) };
    assert.equal(r.report.created, 1);
    assert.equal(sql(`SELECT url FROM kyero_feeds WHERE tenant_id = ${t.id} AND id = ${r.report.feed_id}`)[0][0],
        `${base}/cli.xml`);
});
