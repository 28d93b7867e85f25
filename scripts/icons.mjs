// Draws Ferry's icon (a boat on a wave carrying an upward arrow) as PNGs, without image tools:
// `node scripts/icons.mjs` writes build/icon.png and resources/tray*.png.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function png(size, rgba) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Coverage of the shape at unit coordinates (0..1): which colour, or null for transparent. */
function shade(x, y, mono) {
  const r = 0.2;
  const inRect = (() => {
    const cx = Math.min(Math.max(x, r), 1 - r);
    const cy = Math.min(Math.max(y, r), 1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  })();
  if (!inRect) return null;
  const white = mono ? [0, 0, 0, 0] : [255, 255, 255, 255];
  // Arrow: shaft and head.
  if (Math.abs(x - 0.5) < 0.055 && y > 0.28 && y < 0.6) return white;
  if (y > 0.18 && y < 0.36 && Math.abs(x - 0.5) < (y - 0.18) * 1.1) return white;
  // Hull: a trapezoid.
  if (y > 0.6 && y < 0.7 && x > 0.22 + (y - 0.6) * 0.8 && x < 0.78 - (y - 0.6) * 0.8) return white;
  // Wave.
  const wave = 0.8 + 0.035 * Math.sin(x * Math.PI * 6);
  if (Math.abs(y - wave) < 0.03 && x > 0.15 && x < 0.85) return white;
  if (mono) return [0, 0, 0, 255];
  const t = y;
  return [Math.round(30 + 20 * t), Math.round(110 + 40 * t), Math.round(220 - 30 * t), 255];
}

function draw(size, mono = false) {
  const out = Buffer.alloc(size * size * 4);
  const ss = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = shade((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size, mono);
          if (!c) continue;
          for (let i = 0; i < 3; i++) acc[i] += c[i] * (c[3] / 255);
          acc[3] += c[3];
        }
      }
      const n = ss * ss;
      const a = acc[3] / n;
      const o = (py * size + px) * 4;
      out[o + 3] = Math.round(a);
      for (let i = 0; i < 3; i++) out[o + i] = a > 0 ? Math.round(acc[i] / (acc[3] / 255)) : 0;
    }
  }
  return png(size, out);
}

writeFileSync('build/icon.png', draw(512));
writeFileSync('resources/icon.png', draw(256));
writeFileSync('resources/tray.png', draw(16));
writeFileSync('resources/tray@2x.png', draw(32));
writeFileSync('resources/trayTemplate.png', draw(16, true));
writeFileSync('resources/trayTemplate@2x.png', draw(32, true));
writeFileSync('renderer/public/favicon.png', draw(64));
console.log('icons written');
