import { describe, expect, it } from 'vitest';
import { nameForType } from '../../server/attachments/files';

describe('nameForType', () => {
  const jpeg = { contentType: 'image/jpeg', ext: 'jpg' };
  const pdf = { contentType: 'application/pdf', ext: 'pdf' };

  it('keeps a name whose extension is one of the type (any of its spellings)', () => {
    expect(nameForType('foto.jpg', jpeg)).toBe('foto.jpg');
    expect(nameForType('foto.JPEG', jpeg)).toBe('foto.JPEG');
    expect(nameForType('notitie.txt', { contentType: 'text/plain; charset=utf-8', ext: 'txt' })).toBe('notitie.txt');
    expect(nameForType('zonder-extensie', pdf)).toBe('zonder-extensie');
  });

  it('replaces the extension of another allowed type, and appends to an unknown one', () => {
    expect(nameForType('foto.jpeg', { contentType: 'image/png', ext: 'png' })).toBe('foto.png');
    expect(nameForType('rapport.docx', pdf)).toBe('rapport.pdf');
    expect(nameForType('rapport.exe', pdf)).toBe('rapport.exe.pdf');
    expect(nameForType('lijst.constructor', pdf)).toBe('lijst.constructor.pdf');
  });
});
