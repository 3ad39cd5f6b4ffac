// What the request pipeline refuses, and that refusing never costs a worker:
// body limits (ours and nginx's), JSON, content types, multipart, routing
// errors, query strings, /healthz.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import {
    adminToken, api, BASE, crashesSince, healthy, logMark, newTenant, newToken, newUser, rand,
    rawRequest, readConf, show, sleep,
} from './_http.mjs';

const mark = logMark();
const conf = readConf();
const MAX_BODY = Number(conf.server.max_body);
const MAX_UPLOAD = Number(conf.server.max_upload);
const TMP_DIR = conf.server.tmp_dir;
const GUESTBOOK = '/api/v1/hello/guestbook';

let t, token;

before(async () => {
    t = newTenant('lim');
    await adminToken(t);
    const a = newUser(t, 'agent');
    token = newToken(t, a.email);
});

function assertError(res, status, code) {
    assert.equal(res.status, status, show(res));
    assert.match(res.headers['content-type'] ?? '', /^application\/json/, show(res));
    assert.equal(res.json?.error?.code, code, show(res));
    assert.equal(typeof res.json.error.message, 'string');
}

/** The server survived: /healthz answers ok, a few times (more than one worker). */
async function stillHealthy() {
    for (let i = 0; i < 4; i++) {
        assert.ok(await healthy(), '/healthz answers ok after the bad request');
    }
}

const post = (body, contentType, extra = {}) => api('POST', GUESTBOOK, {
    token, body, headers: contentType ? { 'content-type': contentType } : {}, ...extra,
});

/** A JSON document of exactly n bytes: {"message":"xxx..."} */
function jsonOfSize(n) {
    const shell = '{"message":""}';
    return `{"message":"${'x'.repeat(n - shell.length)}"}`;
}

/**
 * Sends a body of `total` bytes in 1 MiB chunks (declared in Content-Length,
 * or chunked) and resolves the response as soon as it arrives, even if the
 * server answered before the body was sent: what a 413 does.
 */
function streamBody(urlPath, { total, chunked = false, headers = {} }) {
    const base = new URL(BASE);
    return new Promise((resolve, reject) => {
        const h = { ...headers, authorization: `Bearer ${token}` };
        if (chunked) {
            h['transfer-encoding'] = 'chunked';
        } else {
            h['content-length'] = String(total);
        }
        const req = http.request({
            hostname: base.hostname, port: base.port || 80, method: 'POST', path: urlPath, headers: h,
            agent: false, timeout: 120000,
        });
        let answered = false;
        req.on('response', (res) => {
            answered = true;
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                req.destroy();
                const text = Buffer.concat(chunks).toString();
                resolve({ status: res.statusCode, headers: res.headers, text });
            });
            res.on('error', () => resolve({ status: res.statusCode, headers: res.headers, text: '' }));
        });
        req.on('error', (e) => {
            if (!answered) {
                reject(e);
            }
        });
        req.on('timeout', () => req.destroy(new Error('timed out')));
        const chunk = Buffer.alloc(1 << 20, 'x');
        let sent = 0;
        const pump = () => {
            while (!answered && sent < total) {
                const n = Math.min(chunk.length, total - sent);
                sent += n;
                if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
                    req.once('drain', pump);
                    return;
                }
            }
            if (!answered) {
                req.end();
            }
        };
        pump();
    });
}

/** A multipart/form-data body: parts [{ name, value } | { name, filename, type, data }]. */
function multipart(boundary, parts, { close = true } = {}) {
    const bufs = [];
    for (const p of parts) {
        let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
        if (p.filename) {
            head += `; filename="${p.filename}"\r\nContent-Type: ${p.type ?? 'application/octet-stream'}`;
        }
        bufs.push(Buffer.from(`${head}\r\n\r\n`), Buffer.from(p.data ?? p.value), Buffer.from('\r\n'));
    }
    if (close) {
        bufs.push(Buffer.from(`--${boundary}--\r\n`));
    }
    return Buffer.concat(bufs);
}

describe('body size', () => {
    test(`a JSON body over [server] max_body (${MAX_BODY} bytes): 413 body_too_large`, async () => {
        const res = await post(jsonOfSize(MAX_BODY + 1), 'application/json');
        assertError(res, 413, 'body_too_large');
        assert.match(res.json.error.message, new RegExp(String(MAX_BODY)));
        // Exactly the limit is read and parsed: the handler's own validation answers.
        const at = await post(jsonOfSize(MAX_BODY), 'application/json');
        assertError(at, 422, 'validation_failed');
        // A form body is held to the same limit.
        const form = await post(`message=${'x'.repeat(MAX_BODY)}`, 'application/x-www-form-urlencoded');
        assertError(form, 413, 'body_too_large');
        await stillHealthy();
        // And the next request with a body on the same worker pool works.
        const ok = await post(JSON.stringify({ message: `after 413 ${rand()}` }), 'application/json');
        assert.equal(ok.status, 201, show(ok));
    });

    test('a chunked JSON body is measured too', async () => {
        const small = await post(JSON.stringify({ message: `chunked ${rand()}` }), 'application/json');
        assert.equal(small.status, 201, show(small));
        const res = await streamBody(GUESTBOOK, {
            total: MAX_BODY + 4096, chunked: true, headers: { 'content-type': 'application/json' },
        });
        assert.equal(res.status, 413, `${res.status} ${res.text.slice(0, 200)}`);
        assert.match(res.text, /body_too_large/);
        await stillHealthy();
    });

    test(`a body over [server] max_upload (${MAX_UPLOAD} bytes): 413 from nginx, whatever the type`, async () => {
        for (const type of ['application/json', 'multipart/form-data; boundary=XyZ', 'text/plain']) {
            const res = await streamBody(GUESTBOOK, { total: MAX_UPLOAD + 1, headers: { 'content-type': type } });
            assert.equal(res.status, 413, `${type}: ${res.status} ${res.text.slice(0, 200)}`);
        }
        // Without a Content-Length (chunked), nginx counts as it reads.
        const res = await streamBody(GUESTBOOK, {
            total: MAX_UPLOAD + (1 << 20), chunked: true, headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
        });
        assert.equal(res.status, 413, `${res.status} ${res.text.slice(0, 200)}`);
        await stillHealthy();
    });

    test('a multipart body over max_body but under max_upload is read (uploads have their own limit)', async () => {
        const b = `b${rand()}`;
        const body = multipart(b, [
            { name: 'message', value: 'hi' },
            { name: 'file', filename: 'big.bin', data: Buffer.alloc(MAX_BODY * 2, 7) },
        ]);
        const res = await post(body, `multipart/form-data; boundary=${b}`);
        assertError(res, 422, 'validation_failed');   // parsed; the route wants JSON
        await stillHealthy();
    });
});

describe('JSON', () => {
    test('malformed JSON: 400 bad_json', async () => {
        for (const body of ['{"message":', '{message:"x"}', "{'message':'x'}", 'nul', '{"message":"x",}', '"\\x"', '{"a":1']) {
            const res = await post(body, 'application/json');
            assertError(res, 400, 'bad_json');
            assert.match(res.json.error.message, /malformed JSON/);
        }
        await stillHealthy();
    });

    test('duplicate keys: 400, at any depth, and nothing is written', async () => {
        const message = `dup ${rand()}`;
        for (const body of [
            '{"a":1,"a":2}',
            `{"message":"${message}","message":"other"}`,
            '{"x":{"a":1,"a":2}}',
            '[{"a":1,"a":2}]',
            '{"x":[1,{"y":{"b":1,"c":2,"b":3}}]}',
        ]) {
            const res = await post(body, 'application/json');
            assertError(res, 400, 'bad_json');
            assert.match(res.json.error.message, /duplicate key/);
        }
        const list = await api('GET', GUESTBOOK, { token });
        assert.ok(!list.json.data.some((e) => e.message === message || e.message === 'other'));
        await stillHealthy();
    });

    test('data after the JSON document: 400', async () => {
        for (const body of ['{"message":"trailing"} garbage', '{"message":"one"}{"message":"two"}']) {
            const res = await post(body, 'application/json');
            assertError(res, 400, 'bad_json');
        }
    });

    test('a NUL in a JSON string is refused, not cut short', async () => {
        const res = await post('{"message":"a\\u0000b"}', 'application/json');
        if (res.status === 201) {
            assert.equal(res.json.data.message, 'a\u0000b', 'the value was truncated at the NUL');
        } else {
            assertError(res, 400, 'bad_json');
        }
    });

    test('JSON and forms are accepted with their parameters; other content types: 415', async () => {
        const ok = await post(JSON.stringify({ message: `charset ${rand()}` }), 'application/json; charset=utf-8');
        assert.equal(ok.status, 201, show(ok));
        for (const type of ['text/plain', 'application/jsonx', 'application/xml', 'text/json', null]) {
            const res = await post('{"message":"x"}', type);
            assertError(res, 415, 'unsupported_media_type');
        }
        // A form is parsed (the route then wants JSON).
        const form = await post('message=hi', 'application/x-www-form-urlencoded');
        assertError(form, 422, 'validation_failed');
        const badForm = await post('message=%zz', 'application/x-www-form-urlencoded');
        assertError(badForm, 400, 'bad_form');
        await stillHealthy();
    });
});

describe('multipart', () => {
    test('bad multipart: 400 bad_multipart with a message', async () => {
        const b = `b${rand()}`;
        const cases = [
            // no closing boundary
            [multipart(b, [{ name: 'a', value: 'hello' }], { close: false }), `multipart/form-data; boundary=${b}`, /not closed|boundary/],
            // no boundary parameter
            [multipart(b, [{ name: 'a', value: 'hello' }]), 'multipart/form-data', /no boundary/],
            // a boundary the body never uses
            [multipart(b, [{ name: 'a', value: 'hello' }]), 'multipart/form-data; boundary=other', /boundary/],
            // a boundary longer than RFC 2046 allows
            [multipart('x'.repeat(71), [{ name: 'a', value: 'hello' }]), `multipart/form-data; boundary=${'x'.repeat(71)}`, /boundary/],
            // a part without a name
            [Buffer.from(`--${b}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${b}--\r\n`), `multipart/form-data; boundary=${b}`, /name/],
            // headers that never end
            [Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="a"\r\n`), `multipart/form-data; boundary=${b}`, /headers|boundary|ends/],
            // an empty body
            [Buffer.from(' '), `multipart/form-data; boundary=${b}`, /boundary|ends/],
        ];
        for (const [body, type, msg] of cases) {
            const res = await post(body, type);
            assertError(res, 400, 'bad_multipart');
            assert.match(res.json.error.message, /^multipart: /, show(res));
            assert.match(res.json.error.message, msg, show(res));
            assert.ok(await healthy());
        }
        await stillHealthy();
    });

    test('a ~200 KB upload with a field and a file part is parsed: 422 from the JSON route, temp file removed', async () => {
        const b = `----tesoro${rand()}`;
        const marker = `TESORO-MARKER-${rand(8)}`;
        const file = Buffer.concat([Buffer.from(marker), Buffer.alloc(200 * 1024, 0x41), Buffer.from(marker)]);
        const body = multipart(b, [
            { name: 'message', value: 'a normal field' },
            { name: 'photo', filename: 'photo.jpg', type: 'image/jpeg', data: file },
        ]);
        assert.ok(body.length > 200 * 1024);
        const res = await post(body, `multipart/form-data; boundary=${b}`);
        assertError(res, 422, 'validation_failed');
        assert.ok(res.json.error.fields.message);
        await stillHealthy();
        // The part went to a temp file in [server] tmp_dir (it is over
        // multipart_memory); it must be gone once the request is over.
        const leftovers = () => {
            let names = [];
            try {
                names = fs.readdirSync(TMP_DIR).filter((n) => n.startsWith('tesoro-upload-'));
            } catch {
                return [];
            }
            return names.filter((n) => {
                try {
                    return fs.readFileSync(path.join(TMP_DIR, n)).includes(marker);
                } catch {
                    return false;   // removed meanwhile
                }
            });
        };
        for (let i = 0; i < 20 && leftovers().length; i++) {
            await sleep(100);
        }
        assert.deepEqual(leftovers(), [], `no temp file of this upload left in ${TMP_DIR}`);
    });
});

describe('routing and methods', () => {
    test('an unknown path: 404 JSON not_found', async () => {
        const long = `/${Array.from({ length: 40 }, (_, i) => `s${i}`).join('/')}`;
        for (const p of ['/api/v1/nope', '/nope', '/api/v1/users/1/nope', long, '/api/v2/me', '/HEALTHZ']) {
            const res = await api('GET', p, { token });
            assertError(res, 404, 'not_found');
            assert.deepEqual(res.json, { error: { code: 'not_found', message: 'no such resource' } });
        }
        await stillHealthy();
    });

    test('a wrong method: 405 with an Allow header', async () => {
        const cases = [
            ['DELETE', '/api/v1/me', ['GET', 'HEAD', 'OPTIONS']],
            ['POST', '/healthz', ['GET', 'HEAD', 'OPTIONS']],
            ['PUT', '/api/v1/users/1', ['GET', 'HEAD', 'PATCH', 'OPTIONS']],
            ['DELETE', GUESTBOOK, ['GET', 'HEAD', 'POST', 'OPTIONS']],
        ];
        for (const [method, p, allow] of cases) {
            const res = await api(method, p, { token });
            assertError(res, 405, 'method_not_allowed');
            const got = (res.headers.allow ?? '').split(/,\s*/).filter(Boolean).sort();
            assert.deepEqual(got, [...allow].sort(), `${method} ${p}: Allow ${res.headers.allow}`);
        }
        await stillHealthy();
    });

    test('an unknown method: 405 with an Allow header (or 501)', async () => {
        const res = await api('FOO', '/api/v1/me', { token });
        assert.ok(res.status === 501 || (res.status === 405 && res.headers.allow), `${show(res)} allow=${res.headers.allow}`);
    });

    test('OPTIONS: 204 with Allow and no body', async () => {
        for (const [p, allow] of [['/api/v1/me', 'GET, HEAD, OPTIONS'], [GUESTBOOK, 'GET, HEAD, POST, OPTIONS']]) {
            const res = await api('OPTIONS', p);
            assert.equal(res.status, 204, show(res));
            assert.equal(res.headers.allow, allow);
            assert.equal(res.body.length, 0);
        }
        assertError(await api('OPTIONS', '/api/v1/nope'), 404, 'not_found');
    });

    test('HEAD /healthz: 200 without a body', async () => {
        const res = await api('HEAD', '/healthz');
        assert.equal(res.status, 200);
        assert.match(res.headers['content-type'], /^application\/json/);
        assert.equal(res.body.length, 0);
        const me = await api('HEAD', '/api/v1/me', { token });
        assert.equal(me.status, 200);
        assert.equal(me.body.length, 0);
    });

    test('GET /healthz: ok, database connected, the hello plugin loaded', async () => {
        const res = await api('GET', '/healthz');
        assert.equal(res.status, 200, show(res));
        assert.match(res.headers['content-type'], /^application\/json/);
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
        assert.equal(res.json.status, 'ok');
        assert.equal(res.json.database, 'connected');
        assert.ok(Array.isArray(res.json.plugins));
        const hello = res.json.plugins.find((p) => p.name === 'hello');
        assert.ok(hello, JSON.stringify(res.json.plugins));
        assert.equal(typeof hello.version, 'string');
        // Public, and not tied to a tenant: any Host works.
        const other = await api('GET', '/healthz', { host: `nobody-${rand()}.localhost` });
        assert.equal(other.status, 200, show(other));
    });

    test('a malformed query string: 400 bad_query', async () => {
        for (const q of ['a=%zz', 'a=%', 'a=%0', 'a=%00', '%zz=1', 'limit=1&x=%G1']) {
            for (const p of ['/healthz', '/api/v1/me', '/api/v1/users']) {
                const res = await api('GET', `${p}?${q}`, { token: t.adminToken });
                assertError(res, 400, 'bad_query');
            }
        }
        // Well-formed ones are fine, pluses and percent-escapes included.
        const ok = await api('GET', '/api/v1/hello?name=a+b%2Bc%C3%A9', { token });
        assert.equal(ok.status, 200, show(ok));
        assert.equal(ok.json.data.name, 'a b+cé');
        await stillHealthy();
    });
});

describe('upstream connections', () => {
    test('a POST right after another request never gets a 502 from nginx', async () => {
        let bad = 0;
        for (let i = 0; i < 150; i++) {
            await rawRequest('GET', '/healthz');
            const res = await rawRequest('POST', GUESTBOOK, { token, json: {} });
            if (res.status === 502) {
                bad++;
            } else {
                assert.equal(res.status, 422, show(res));
            }
        }
        assert.equal(bad, 0, `${bad} of 150 POSTs answered 502`);
    });
});

test('no worker crashed while these tests ran', () => {
    assert.deepEqual(crashesSince(mark), []);
});
