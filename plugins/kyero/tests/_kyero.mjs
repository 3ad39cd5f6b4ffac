// Helpers for the kyero plugin's suites: Kyero documents, the feed import CLI, SQL on the
// test database, and a tenant with an admin token.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, CONF, adminToken, newTenant, readConf } from '../../../tests/api/_http.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FORMATS = path.join(ROOT, 'tests/fixtures/formats');
export const SAMPLE = path.join(FORMATS, 'examples/kyero-v3-sample.xml');

/** Rows of a query on the instance's database, as arrays of strings (NULL as null). */
export function sql(query) {
    const db = readConf()['db:main'];
    const out = execFileSync('mariadb', [`--socket=${db.socket}`, `-u${db.user || 'root'}`, '-N', '-B',
        db.database, '-e', query], { encoding: 'utf8' });
    return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t').map((v) => (v === 'NULL' ? null : v)));
}

export function sqlValue(query) {
    const rows = sql(query);
    return rows.length ? rows[0][0] : null;
}

/** A quoted SQL string (tests build fixtures with literals only they choose). */
export const q = (s) => `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

let dir;
/** Writes text into a fresh temporary file; returns its path. */
export function tmpFile(name, text) {
    dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'kyero-test-'));
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
}

/** `tesoro feed import`: { status (exit code), report (parsed JSON), stderr }. */
export function feedImport(slug, src, feed) {
    const args = ['-c', CONF, 'feed', 'import', '--tenant', slug];
    if (feed) {
        args.push('--feed', String(feed));
    }
    args.push(src);
    const r = spawnSync(CLI, args, { encoding: 'utf8', timeout: 120000 });
    let report;
    try {
        report = JSON.parse(r.stdout);
    } catch {
        report = undefined;
    }
    return { status: r.status, report, stderr: r.stderr, stdout: r.stdout };
}

/** One <property>; fields override the defaults, `extra` is appended raw. */
export function property(f = {}) {
    const v = {
        id: '1', date: '2026-01-01 10:00:00', ref: 'REF-1', price: '200000', currency: 'EUR',
        price_freq: 'sale', type: 'apartment', town: 'Jávea', province: 'Alicante', beds: '2',
        baths: '1', ...f,
    };
    const el = (k) => (v[k] === undefined || v[k] === null ? '' : `<${k}>${v[k]}</${k}>`);
    const images = (v.images ?? [`https://img.example/${v.id}-1.jpg`, `https://img.example/${v.id}-2.jpg`])
        .map((u, i) => `<image id="${i + 1}"><url>${u}</url></image>`).join('');
    return `<property>${['id', 'date', 'ref', 'price', 'currency', 'price_freq', 'type', 'town', 'province',
        'country', 'beds', 'baths', 'pool', 'new_build', 'notes', 'location_detail'].map(el).join('')}` +
        `<desc><en>${v.desc_en ?? `English text of ${v.ref}`}</en><es>Texto de ${v.ref}</es></desc>` +
        `<images>${images}</images>${v.extra ?? ''}</property>\n`;
}

export function feed(props) {
    return '<?xml version="1.0" encoding="UTF-8"?>\n<root><kyero><feed_version>3</feed_version></kyero>\n' +
        props.join('') + '</root>\n';
}

/** A tenant with an admin token: { slug, host, id, token }. */
export async function tenantWithToken(label) {
    const t = newTenant(label);
    t.token = await adminToken(t);
    return t;
}

/** The properties of a tenant's feed, by ref: { ref: { status, id, ... } }. */
export function feedListings(tenantId, feedId) {
    const rows = sql(`SELECT ref, id, status, price, town, type FROM properties WHERE tenant_id = ${tenantId}` +
        ` AND source_feed = 'kyero:${feedId}' ORDER BY ref`);
    return Object.fromEntries(rows.map(([ref, id, status, price, town, type]) =>
        [ref, { id: Number(id), status, price: price === null ? null : Number(price), town, type }]));
}
