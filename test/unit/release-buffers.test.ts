import { describe, expect, it } from 'vitest';
import { uploadedBytes } from '../../server/attachments/release-buffers';

describe('upload buffers', () => {
  it('are released after a few MB received instead of piling up until V8 notices', () => {
    // Like socket reads of an upload: 64 KB buffers, dropped once written.
    let chunks: Buffer[] = [];
    for (let i = 0; i < 320; i++) chunks.push(Buffer.alloc(64 * 1024, i));
    const held = process.memoryUsage().arrayBuffers;
    chunks = [];
    for (let i = 0; i < 320; i++) uploadedBytes(64 * 1024);
    expect(chunks).toHaveLength(0);
    // 20 MB were garbage; at least most of it is gone.
    expect(held - process.memoryUsage().arrayBuffers).toBeGreaterThan(15 * 1024 * 1024);
  });
});
