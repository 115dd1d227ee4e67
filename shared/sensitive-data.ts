// A guardrail against client data in public threads (AVG): finds a BSN (nine digits passing the
// elfproef, also written with spaces or dots), a Dutch IBAN with a valid mod-97 checksum, and a date
// of birth next to a phrase that looks like a name. Runs on the server before publishing (which
// decides) and in the editor while typing (a gentle warning). Plain text in, findings out; no deps.

export type SensitiveKind = 'bsn' | 'iban' | 'birthdate';
export interface SensitiveFinding {
  kind: SensitiveKind;
  /** The matched text, as written (for the writer to find it back). */
  excerpt: string;
}

/** The elfproef for a BSN: 9×d1 + 8×d2 + … + 2×d8 − 1×d9 is a multiple of 11 (and not all zeros). */
export function isValidBsn(digits: string): boolean {
  if (!/^\d{9}$/.test(digits) || /^0+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * Number(digits[i]);
  sum -= Number(digits[8]);
  return sum % 11 === 0;
}

/** ISO 13616 mod-97 check for a Dutch IBAN (NLkk BBBB 0123 4567 89, spaces allowed). */
export function isValidDutchIban(raw: string): boolean {
  const iban = raw.replace(/\s+/g, '').toUpperCase();
  if (!/^NL\d{2}[A-Z]{4}\d{10}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const n = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of n) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder === 1;
}

// Nine digits, optionally grouped by single spaces or dots (123 456 782, 1234.56.782), not part of a
// longer number or of a word or code (a UUID, "ab123456782").
const BSN_CANDIDATE = /(?<![\p{L}\d.,\-/_])(\d(?:[ .]?\d){8})(?![\p{L}\d_]|[.,]\d)/gu;
const IBAN_CANDIDATE = /\bNL\s?\d{2}(?:\s?[A-Z]){4}(?:\s?\d){10}\b/gi;

const MONTHS = 'januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec';
// 12-03-1985, 12/3/85, 12.03.1985, 1985-03-12, 12 maart 1985
const DATE = `(?:\\d{1,2}[-/.]\\d{1,2}[-/.](?:19|20)?\\d{2}|(?:19|20)\\d{2}-\\d{1,2}-\\d{1,2}|\\d{1,2}\\s+(?:${MONTHS})\\.?\\s+(?:19|20)\\d{2})`;
// Words that say "this date is a birth date".
const BIRTH_WORDS = '(?:geboren(?:\\s+op)?|geb\\.?|geboortedatum|d\\.?o\\.?b\\.?|date of birth|born(?:\\s+on)?|\\*)';
// A name-like phrase: two or three capitalised words, optionally with Dutch tussenvoegsels between them,
// or an initial and a surname (J. de Vries), or "mevrouw/meneer/dhr./mw. <Name>".
const CAP = "\\p{Lu}[\\p{Ll}'’-]+";
const TUSSEN = '(?:van der|van den|van de|van|de|den|der|ter|ten|te|in \'t|op de)';
const NAME = `(?:(?:(?:mevrouw|meneer|mevr\\.|dhr\\.|mw\\.|mr\\.|client|cliënt)\\s+)?(?:${CAP}|\\p{Lu}\\.(?:\\s?\\p{Lu}\\.)*)(?:\\s+${TUSSEN})?\\s+${CAP}|(?:mevrouw|meneer|mevr\\.|dhr\\.|mw\\.)\\s+(?:${TUSSEN}\\s+)?${CAP})`;
// Name, then (within a few characters such as ", " or " (") a birth word and/or a date; or birth word + date right after a name.
const BIRTHDATE_NEAR_NAME = new RegExp(`(${NAME})[\\s,:;(]{1,4}(?:${BIRTH_WORDS}[\\s:]{0,3})?(${DATE})`, 'gu');
const BIRTH_DATE_ONLY = new RegExp(`${BIRTH_WORDS}[\\s:]{0,3}(${DATE})`, 'giu');

// Capitalised words that start a sentence and are not names ("Op 12-03-2024 ...", "Vanaf 1-1-2025").
const NOT_A_NAME = /^(op|vanaf|tot|sinds|per|na|voor|om|in|met|de|het|een|deze|die|dit|datum|vergadering|sessie|overleg|bijeenkomst|wet|artikel)\b/i;

const MONTH_NUMBER: Record<string, number> = { jan: 1, feb: 2, mrt: 3, maa: 3, apr: 4, mei: 5, jun: 6, jul: 7, aug: 8, sep: 9, okt: 10, nov: 11, dec: 12 };

/** Is this written date (one of DATE's forms) more than a year before today? Unreadable dates count as old. */
function isOverAYearAgo(written: string, now = new Date()): boolean {
  let y: number;
  let mo: number;
  let d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(written);
  const numeric = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})$/.exec(written);
  const words = /^(\d{1,2})\s+(\p{L}+)\.?\s+(\d{4})$/u.exec(written);
  if (iso) [y, mo, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (numeric) [d, mo, y] = [Number(numeric[1]), Number(numeric[2]), Number(numeric[3]) < 100 ? 1900 + Number(numeric[3]) : Number(numeric[3])];
  else if (words) [d, mo, y] = [Number(words[1]), MONTH_NUMBER[words[2].slice(0, 3).toLowerCase()] ?? 1, Number(words[3])];
  else return true;
  return Date.UTC(y, mo - 1, d) < Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), now.getUTCDate());
}

/** Every finding in `text` (plain text; strip HTML first), in order, without duplicates. */
export function findSensitiveData(text: string): SensitiveFinding[] {
  const found: { at: number; finding: SensitiveFinding }[] = [];
  for (const m of text.matchAll(BSN_CANDIDATE)) {
    const digits = m[1].replace(/[ .]/g, '');
    // Mixed separators (12.34 567 89) are not how anyone writes a BSN: only one kind of separator.
    if (/ /.test(m[1]) && /\./.test(m[1])) continue;
    if (isValidBsn(digits)) found.push({ at: m.index ?? 0, finding: { kind: 'bsn', excerpt: m[1] } });
  }
  for (const m of text.matchAll(IBAN_CANDIDATE)) {
    if (isValidDutchIban(m[0])) found.push({ at: m.index ?? 0, finding: { kind: 'iban', excerpt: m[0] } });
  }
  for (const m of text.matchAll(BIRTHDATE_NEAR_NAME)) {
    const name = m[1];
    const firstWord = name.split(/\s+/)[0];
    if (NOT_A_NAME.test(firstWord) && !/^(mevrouw|meneer|client|cliënt)$/i.test(firstWord)) continue;
    // Without a word such as "geboren", only a date more than a year back reads as a birth date: a name
    // with a recent or coming date is a meeting or a signature ("Team Zuid 12-03-2030", "Anne, 2 mei").
    if (!new RegExp(BIRTH_WORDS, 'iu').test(m[0].slice(name.length)) && !isOverAYearAgo(m[2])) continue;
    found.push({ at: m.index ?? 0, finding: { kind: 'birthdate', excerpt: m[0].trim() } });
  }
  // "geboren 12-03-1985" right after a name is caught above; a birth word with a date after any
  // name-like phrase earlier in the same sentence is caught here.
  for (const m of text.matchAll(BIRTH_DATE_ONLY)) {
    const at = m.index ?? 0;
    if (found.some((f) => f.finding.kind === 'birthdate' && f.at <= at && at < f.at + f.finding.excerpt.length + 1)) continue;
    const sentence = text.slice(Math.max(0, text.lastIndexOf('.', at - 1) + 1, at - 80), at);
    if (new RegExp(NAME, 'u').test(sentence)) found.push({ at, finding: { kind: 'birthdate', excerpt: m[0].trim() } });
  }
  found.sort((a, b) => a.at - b.at);
  const seen = new Set<string>();
  return found
    .map((f) => f.finding)
    .filter((f) => {
      const key = `${f.kind}\u0000${f.excerpt}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
