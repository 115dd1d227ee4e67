// @mentions. The rule (also in the README):
//  - an "@" that starts the text or follows a character that is not a letter or digit (so e-mail
//    addresses such as jan@gemeente.nl never mention anyone),
//  - followed by a member's whole display name, compared case-insensitively with runs of white space
//    counted as one space,
//  - and then the end of the text or a character that is not a letter or digit ("@Anne Hoekstra," and
//    "(@Anne Hoekstra)" mention Anne Hoekstra; "@Annemarie" does not mention "Anne").
//  - When several names fit at one "@", the longest wins: "@Bas de Boer" mentions Bas de Boer, not a
//    member called "Bas". Members who share that exact display name are all mentioned.
//  - At most MAX_MENTIONED people per post; mentions added later by editing a post do not notify.
import { type Kysely, sql } from 'kysely';
import { erasedAccount } from '../accounts/users';
import type { Database } from '../db/schema';

const WORD = /[\p{L}\p{N}]/u;
const MAX_NAME = 80;
const MAX_AT_SIGNS = 30;
export const MAX_MENTIONED = 20;

/** For each usable "@" in the text: every candidate name after it (lower case), longest first. */
export function mentionCandidates(text: string): string[][] {
  const flat = text.replace(/\s+/gu, ' ');
  const result: string[][] = [];
  for (let i = flat.indexOf('@'); i !== -1 && result.length < MAX_AT_SIGNS; i = flat.indexOf('@', i + 1)) {
    if (i > 0 && WORD.test(flat[i - 1])) continue;
    const after = [...flat.slice(i + 1, i + 1 + MAX_NAME * 2)].slice(0, MAX_NAME + 1);
    const candidates: string[] = [];
    for (let end = 1; end <= Math.min(MAX_NAME, after.length); end++) {
      if (end < after.length && WORD.test(after[end])) continue; // must end at a word boundary
      if (/\s/u.test(after[end - 1]) || /\s/u.test(after[0])) continue;
      candidates.push(after.slice(0, end).join('').toLowerCase());
    }
    if (candidates.length) result.push(candidates.reverse());
  }
  return result;
}

/** The ids of the members a text mentions (see the rule above). */
export async function mentionedUserIds(db: Kysely<Database>, text: string): Promise<string[]> {
  if (!text.includes('@')) return [];
  const perAt = mentionCandidates(text);
  const all = [...new Set(perAt.flat())];
  if (!all.length) return [];
  const rows = await db
    .selectFrom('user')
    .select(['id', sql<string>`lower(regexp_replace(display_name, '\\s+', ' ', 'g'))`.as('name')])
    .where(sql<boolean>`lower(regexp_replace(display_name, '\\s+', ' ', 'g')) = any(${all}::text[])`)
    .where((eb) => eb.not(erasedAccount('email')))
    .execute();
  const byName = new Map<string, string[]>();
  for (const r of rows) byName.set(r.name, [...(byName.get(r.name) ?? []), r.id]);
  const ids = new Set<string>();
  for (const candidates of perAt) {
    const longest = candidates.find((c) => byName.has(c));
    if (longest) for (const id of byName.get(longest)!) ids.add(id);
  }
  return [...ids].slice(0, MAX_MENTIONED);
}
