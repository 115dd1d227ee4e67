import { describe, expect, it } from 'vitest';
import { findSensitiveData, isValidBsn, isValidDutchIban } from '../../shared/sensitive-data';

const kinds = (text: string) => findSensitiveData(text).map((f) => f.kind);

describe('BSN (elfproef)', () => {
  it('flags nine digits that pass the elfproef, plain or with spaces or dots', () => {
    expect(isValidBsn('111222333')).toBe(true);
    expect(isValidBsn('123456782')).toBe(true);
    expect(findSensitiveData('Het BSN van de cliënt is 111222333.')).toEqual([{ kind: 'bsn', excerpt: '111222333' }]);
    expect(findSensitiveData('bsn 1234 56 782 staat in het dossier')).toEqual([{ kind: 'bsn', excerpt: '1234 56 782' }]);
    expect(findSensitiveData('bsn: 123.456.782')).toEqual([{ kind: 'bsn', excerpt: '123.456.782' }]);
  });

  it('does not flag nine-digit numbers that fail the elfproef, phone numbers or longer numbers', () => {
    expect(isValidBsn('123456789')).toBe(false);
    expect(isValidBsn('000000000')).toBe(false);
    expect(kinds('Ordernummer 123456789 is verzonden')).toEqual([]);
    expect(kinds('Bel 0612345678 of 06 12345678 of 020-1234567')).toEqual([]);
    expect(kinds('Zaaknummer 1112223334 en 11122233')).toEqual([]);
    expect(kinds('Bedrag 111.222.333,50 euro')).toEqual([]);
    // Inside a code or an identifier it is not a BSN.
    expect(kinds('soak-1-2-0b1e2c3d-aaaa-bbbb-cccc-d111222333ef and ref_111222333 and X111222333')).toEqual([]);
  });
});

describe('Dutch IBAN (mod-97)', () => {
  it('flags a Dutch IBAN with a valid checksum, with or without spaces', () => {
    expect(isValidDutchIban('NL91ABNA0417164300')).toBe(true);
    expect(findSensitiveData('Maak het over op NL91 ABNA 0417 1643 00 graag')).toEqual([{ kind: 'iban', excerpt: 'NL91 ABNA 0417 1643 00' }]);
    expect(kinds('rekening nl91abna0417164300')).toEqual(['iban']);
  });

  it('does not flag an IBAN with a wrong checksum or a foreign one', () => {
    expect(isValidDutchIban('NL91ABNA0417164301')).toBe(false);
    expect(isValidDutchIban('NL12ABNA0417164300')).toBe(false);
    expect(kinds('Rekening NL91ABNA0417164301 en NL12 ABNA 0417 1643 00')).toEqual([]);
    expect(kinds('DE89370400440532013000')).toEqual([]);
  });
});

describe('date of birth next to a name', () => {
  it('flags a name-like phrase with a date of birth', () => {
    expect(kinds('Het gaat om Jan Jansen, 12-03-1985, die sinds kort bij ons is.')).toEqual(['birthdate']);
    expect(kinds('Mevrouw de Vries (geb. 3 maart 1990) woont alleen.')).toEqual(['birthdate']);
    expect(kinds('J. de Boer geboren 01/02/1979 vraagt bijstand')).toEqual(['birthdate']);
    expect(kinds('Piet van der Berg, geboortedatum: 1979-02-01')).toEqual(['birthdate']);
    expect(findSensitiveData('Het gaat om Jan Jansen, 12-03-1985.')[0].excerpt).toBe('Jan Jansen, 12-03-1985');
  });

  it('does not flag a date without a name, a name without a date, or a meeting date ahead', () => {
    expect(kinds('De wet gaat in op 01-01-2015.')).toEqual([]);
    expect(kinds('Anne Hoekstra schreef een handreiking over de Wmo.')).toEqual([]);
    expect(kinds('Team Zuid 12-03-2099 in het stadhuis')).toEqual([]);
    expect(kinds('Per 1 januari 2025 geldt de nieuwe regeling.')).toEqual([]);
    // A colleague's name with a recent date is a signature or a meeting, not a birth date.
    const lastMonth = new Date(Date.now() - 30 * 86400_000);
    const written = `${lastMonth.getUTCDate()}-${lastMonth.getUTCMonth() + 1}-${lastMonth.getUTCFullYear()}`;
    expect(kinds(`Groet, Anne Hoekstra, ${written}`)).toEqual([]);
    // With a birth word, a recent date still counts (a baby in youth care).
    expect(kinds(`Noor de Jong, geboren ${written}`)).toEqual(['birthdate']);
  });
});

it('reports several findings in order of appearance, each once', () => {
  expect(kinds('111222333 en NL91ABNA0417164300 en weer 111222333')).toEqual(['bsn', 'iban']);
});
