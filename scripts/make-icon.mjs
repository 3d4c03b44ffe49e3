#!/usr/bin/env node
/**
 * Draws icon.png (256×256): a padlock over three people on Rocket.Chat red: "private groups, managed".
 * Plain Node (zlib), antialiased by 4×4 supersampling, so the icon is reproducible without image tools.
 * The Marketplace listing rules (docs/marketplace.md): 256×256, no transparency — so the red fills the whole square
 * (the Marketplace rounds the corners itself) and the PNG is RGB, without an alpha channel.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 256;
const SS = 4;
const TILE = [245, 69, 92];
const WHITE = [255, 255, 255];
const DARK = [180, 30, 52];

const inRoundRect = (x, y, x0, y0, x1, y1, r) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const inCircle = (x, y, cx, cy, r) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const inRing = (x, y, cx, cy, r0, r1) => {
    const d = (x - cx) ** 2 + (y - cy) ** 2;
    return d >= r0 * r0 && d <= r1 * r1;
};

function colorAt(x, y) {
    // Lock: shackle and body.
    if (inRing(x, y, 128, 104, 30, 44) && y <= 112) return WHITE;
    if (inRoundRect(x, y, 70, 108, 186, 196, 14)) {
        if (inCircle(x, y, 128, 140, 13) || inRoundRect(x, y, 122, 140, 134, 172, 4)) return DARK;
        return WHITE;
    }
    // Three people below the lock: heads and shoulders.
    for (const cx of [60, 128, 196]) {
        if (inCircle(x, y, cx, 214, 9)) return WHITE;
        if (inRoundRect(x, y, cx - 17, 226, cx + 17, 252, 14) && y <= 240) return WHITE;
    }
    return TILE;
}

const ROW = SIZE * 3 + 1;
const raw = Buffer.alloc(SIZE * ROW);
for (let y = 0; y < SIZE; y++) {
    raw[y * ROW] = 0;
    for (let x = 0; x < SIZE; x++) {
        let r = 0, g = 0, b = 0;
        for (let sy = 0; sy < SS; sy++) {
            for (let sx = 0; sx < SS; sx++) {
                const c = colorAt(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
                r += c[0]; g += c[1]; b += c[2];
            }
        }
        const o = y * ROW + 1 + x * 3;
        const n = SS * SS;
        raw[o] = Math.round(r / n);
        raw[o + 1] = Math.round(g / n);
        raw[o + 2] = Math.round(b / n);
    }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
});
const crc32 = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8;
ihdr[9] = 2; // RGB, no alpha
const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('../icon.png', import.meta.url), png);
console.log(`icon.png: ${SIZE}x${SIZE}, ${png.length} bytes`);
