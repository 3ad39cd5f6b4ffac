// Helpers for the properties suites: a tenant with users of every role,
// property creation, multipart uploads and images made here, byte by byte
// (PNG written with zlib; JPEGs are the server's own variants, with an EXIF
// orientation spliced in when a test needs one).
import { execFileSync } from 'node:child_process';
import zlib from 'node:zlib';
import { api, adminToken, newTenant, newToken, newUser, readConf, show } from '../../../tests/api/_http.mjs';

export { api, show };

/** A tenant with tokens for admin, manager, two agents and a viewer. */
export async function world(label = 'p') {
    const t = newTenant(label);
    const admin = await adminToken(t);
    const tok = { admin };
    const users = {};
    for (const role of ['manager', 'agent', 'viewer']) {
        users[role] = newUser(t, role);
        tok[role] = newToken(t, users[role].email);
    }
    users.agent2 = newUser(t, 'agent');
    tok.agent2 = newToken(t, users.agent2.email);
    return { t, tok, users };
}

/** POST /api/v1/properties; throws unless 201. */
export async function createProperty(token, fields = {}) {
    const res = await api('POST', '/api/v1/properties', {
        token, json: { type: 'apartment', ...fields },
    });
    if (res.status !== 201) {
        throw new Error(`create property: ${show(res)}`);
    }
    return res.json.data;
}

/** SQL on the instance's database (for what another plugin's API would do). */
export function sql(query) {
    const db = readConf()['db:main'];
    return execFileSync('mariadb', [`--socket=${db.socket}`, `-u${db.user || 'root'}`, '-N', '-B',
        db.database, '-e', query], { encoding: 'utf8' }).trim();
}

// ------------------------------------------------------------------ multipart

export function multipart(fields, files = []) {
    const boundary = `----tesoro${Math.random().toString(16).slice(2)}`;
    const parts = [];
    for (const [k, v] of Object.entries(fields)) {
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    }
    for (const f of files) {
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field ?? 'file'}"; filename="${f.filename}"\r\nContent-Type: ${f.type ?? 'application/octet-stream'}\r\n\r\n`));
        parts.push(f.data, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

export async function upload(token, id, file, fields = {}) {
    const m = multipart(fields, [file]);
    return api('POST', `/api/v1/properties/${id}/media`, {
        token, body: m.body, headers: { 'content-type': m.type },
    });
}

// ------------------------------------------------------------------ images

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) {
        c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    return c >>> 0;
});

function crc32(buf) {
    let c = 0xffffffff;
    for (const b of buf) {
        c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
    }
    return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
}

function ihdr(w, h) {
    const b = Buffer.alloc(13);
    b.writeUInt32BE(w, 0);
    b.writeUInt32BE(h, 4);
    b[8] = 8;   // bit depth
    b[9] = 2;   // RGB
    return b;
}

/** A real w x h RGB PNG with a gradient (and a red left half, to see rotations). */
export function png(w, h) {
    const raw = Buffer.alloc((w * 3 + 1) * h);
    for (let y = 0; y < h; y++) {
        const row = y * (w * 3 + 1);
        for (let x = 0; x < w; x++) {
            const o = row + 1 + x * 3;
            raw[o] = x < w / 2 ? 220 : 20;
            raw[o + 1] = (y * 255 / h) | 0;
            raw[o + 2] = (x * 255 / w) | 0;
        }
    }
    return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr(w, h)),
        chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A PNG whose header claims w x h but carries almost no data: a pixel bomb. */
export function pngBomb(w, h) {
    const row = Buffer.alloc(w * 3 + 1);
    return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr(w, h)),
        chunk('IDAT', zlib.deflateSync(row)), chunk('IEND', Buffer.alloc(0))]);
}

/** Width and height from a JPEG's SOF marker. */
export function jpegSize(buf) {
    let i = 2;
    while (i < buf.length) {
        if (buf[i] !== 0xff) {
            throw new Error('not a JPEG marker');
        }
        const m = buf[i + 1];
        const len = buf.readUInt16BE(i + 2);
        if (m >= 0xc0 && m <= 0xc3) {
            return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
        }
        i += 2 + len;
    }
    throw new Error('no SOF marker');
}

/** The JPEG with an EXIF APP1 segment saying Orientation = o, after SOI. */
export function withOrientation(jpeg, o) {
    const tiff = Buffer.alloc(26);
    tiff.write('MM', 0, 'ascii');
    tiff.writeUInt16BE(42, 2);
    tiff.writeUInt32BE(8, 4);          // first IFD
    tiff.writeUInt16BE(1, 8);          // one entry
    tiff.writeUInt16BE(0x0112, 10);    // Orientation
    tiff.writeUInt16BE(3, 12);         // SHORT
    tiff.writeUInt32BE(1, 14);
    tiff.writeUInt16BE(o, 18);
    tiff.writeUInt32BE(0, 22);         // no next IFD
    const payload = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
    const head = Buffer.from([0xff, 0xe1, 0, 0]);
    head.writeUInt16BE(payload.length + 2, 2);
    return Buffer.concat([jpeg.subarray(0, 2), head, payload, jpeg.subarray(2)]);
}
