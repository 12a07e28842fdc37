// Writes a screenshot only when it looks different from the one already there. Chromium's PNG
// bytes vary between runs for the same picture, and a dot may anti-alias a shade differently;
// without this every test run would rewrite the committed images.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

interface Image {
  width: number;
  height: number;
  channels: number;
  rows: Uint8Array[];
}

// Decodes the 8-bit RGB/RGBA non-interlaced PNGs Chromium writes; null for anything else.
export function decodePng(data: Buffer): Image | null {
  if (data.length < 8 || data.readUInt32BE(0) !== 0x89504e47) return null;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= data.length; ) {
    const length = data.readUInt32BE(at);
    const type = data.toString('latin1', at + 4, at + 8);
    const body = data.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const depth = body[8];
      const color = body[9];
      if (depth !== 8 || body[12] !== 0) return null;
      channels = color === 6 ? 4 : color === 2 ? 3 : 0;
      if (!channels) return null;
    } else if (type === 'IDAT') idat.push(body);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const rows: Uint8Array[] = [];
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Uint8Array.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? line[x - channels] : 0;
      const b = prev[x];
      const c = x >= channels ? prev[x - channels] : 0;
      let add = 0;
      if (filter === 1) add = a;
      else if (filter === 2) add = b;
      else if (filter === 3) add = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[x] = (line[x] + add) & 255;
    }
    rows.push(line);
    prev = line;
  }
  return { width, height, channels, rows };
}

// How many pixels differ; Infinity when the sizes or formats differ.
export function pixelsDifferent(a: Image, b: Image): number {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) return Infinity;
  let n = 0;
  for (let y = 0; y < a.height; y++) {
    const ra = a.rows[y];
    const rb = b.rows[y];
    for (let x = 0; x < ra.length; x += a.channels) {
      for (let k = 0; k < a.channels; k++) {
        if (ra[x + k] !== rb[x + k]) {
          n++;
          break;
        }
      }
    }
  }
  return n;
}

// Returns whether the file was (re)written.
export function saveScreenshot(path: string, png: Buffer, tolerancePixels = 64): boolean {
  if (existsSync(path)) {
    const before = decodePng(readFileSync(path));
    const after = decodePng(png);
    if (before && after && pixelsDifferent(before, after) <= tolerancePixels) return false;
  }
  writeFileSync(path, png);
  return true;
}
