import sharp from 'sharp';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A deflated entry, optionally declaring a size other than its real one (as a zip bomb would). */
export interface Deflated {
  deflated: Buffer;
  crc: number;
  realSize: number;
  declaredSize?: number;
}

/** Deflates `size` zero bytes in 1 MiB steps (never holding them all), for a zip entry. */
export async function deflatedZeros(size: number): Promise<Deflated> {
  const { createDeflateRaw } = await import('node:zlib');
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((r) => deflate.on('end', r));
  const chunk = Buffer.alloc(1024 * 1024);
  let crc = 0xffffffff;
  for (const b of chunk) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  let left = size;
  let fullCrc = 0xffffffff;
  while (left > 0) {
    const n = Math.min(left, chunk.length);
    const part = n === chunk.length ? chunk : chunk.subarray(0, n);
    for (const b of part) fullCrc = CRC_TABLE[(fullCrc ^ b) & 0xff] ^ (fullCrc >>> 8);
    if (!deflate.write(part)) await new Promise((r) => deflate.once('drain', r));
    left -= n;
  }
  deflate.end();
  await done;
  return { deflated: Buffer.concat(out), crc: (fullCrc ^ 0xffffffff) >>> 0, realSize: size };
}

/** A minimal ZIP (stored entries, or deflated ones) — enough for real OOXML documents and for fake ones. */
export function zip(entries: Record<string, string | Buffer | Deflated>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const isDeflated = typeof content === 'object' && !Buffer.isBuffer(content);
    const data = isDeflated ? content.deflated : Buffer.isBuffer(content) ? content : Buffer.from(content);
    const nameBuf = Buffer.from(name);
    const crc = isDeflated ? content.crc : crc32(data);
    const unpacked = isDeflated ? (content.declaredSize ?? content.realSize) : data.length;
    const method = isDeflated ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(unpacked, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    locals.push(local, nameBuf, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(unpacked, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const centralBuf = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(centralBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBuf, end]);
}

export const pdf = (text = 'Handreiking') =>
  Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% ${text}\ntrailer << /Root 1 0 R >>\n%%EOF\n`);

const DOCX_PARTS = {
  '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  '_rels/.rels': '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>',
  'word/document.xml': '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Handreiking</w:t></w:r></w:p></w:body></w:document>',
};

export const docx = (extra: Record<string, string | Buffer | Deflated> = {}) => zip({ ...DOCX_PARTS, ...extra });

/** Shaped like a zip bomb (one huge, highly repetitive entry), named like a spreadsheet, but not OOXML. */
export const fakeXlsx = () => zip({ 'bomb.txt': Buffer.alloc(100_000, 0x41) });

export const exe = () => Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([0x80, 0, 0, 0]), Buffer.alloc(64), Buffer.from('PE\0\0'), Buffer.alloc(200)]);

export const png = (w = 40, h = 20) => sharp({ create: { width: w, height: h, channels: 3, background: '#154273' } }).png().toBuffer();
