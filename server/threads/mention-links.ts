// @mentions render as links to the member's profile: "@Anne Hoekstra" in a body becomes
// <a href="/u/12">@Anne Hoekstra</a> when it is written (the rule of server/notifications/mentions.ts:
// a whole display name after an "@" that does not follow a letter or digit, the longest name wins).
// Text inside links, code and preformatted blocks is left alone.
import { sql } from 'kysely';
import type { Db } from '../db';
import { erasedAccount } from '../accounts/users';
import { LINK_REL } from '../content/sanitize';
import { mentionCandidates } from '../notifications/mentions';

const WORD = /[\p{L}\p{N}]/u;
const SKIP = new Set(['a', 'code', 'pre']);

/** Members by their display name as mentions compare it: lower case, runs of white space as one space. */
async function membersByName(db: Db, names: string[]): Promise<Map<string, string>> {
  if (!names.length) return new Map();
  const rows = await db
    .selectFrom('user')
    .select(['id', sql<string>`lower(regexp_replace(display_name, '\\s+', ' ', 'g'))`.as('name')])
    .where(sql<boolean>`lower(regexp_replace(display_name, '\\s+', ' ', 'g')) = any(${names}::text[])`)
    .where((eb) => eb.not(erasedAccount('email')))
    .orderBy('id')
    .execute();
  const byName = new Map<string, string>();
  for (const r of rows) if (!byName.has(r.name)) byName.set(r.name, r.id);
  return byName;
}

/** Links the @mentions in sanitized body HTML to the profiles they name. */
export async function linkMentions(db: Db, html: string): Promise<string> {
  if (!html.includes('@')) return html;
  // Sanitized HTML: tags and escaped text alternate, so a split on tags is exact.
  const parts = html.split(/(<[^>]+>)/);
  const texts: number[] = [];
  let depth = 0;
  parts.forEach((part, i) => {
    const tag = /^<(\/?)([a-z0-9]+)/i.exec(part);
    if (tag) {
      if (SKIP.has(tag[2].toLowerCase())) depth += tag[1] ? -1 : 1;
    } else if (depth === 0 && part.includes('@')) texts.push(i);
  });
  if (!texts.length) return html;
  const candidates = texts.flatMap((i) => mentionCandidates(parts[i]).flat());
  const byName = await membersByName(db, [...new Set(candidates)]);
  if (!byName.size) return html;
  for (const i of texts) parts[i] = linkText(parts[i], byName);
  return parts.join('');
}

function linkText(text: string, byName: Map<string, string>): string {
  let out = '';
  let rest = text;
  for (let at = rest.indexOf('@'); at !== -1; at = rest.indexOf('@')) {
    if (at > 0 && WORD.test(rest[at - 1])) {
      out += rest.slice(0, at + 1);
      rest = rest.slice(at + 1);
      continue;
    }
    const [candidates = []] = mentionCandidates(rest.slice(at));
    const name = candidates.find((c) => byName.has(c));
    if (!name) {
      out += rest.slice(0, at + 1);
      rest = rest.slice(at + 1);
      continue;
    }
    // The same number of characters as the name matched (the text's white space is already single).
    const length = [...name].length;
    const written = [...rest.slice(at + 1)].slice(0, length).join('');
    out += `${rest.slice(0, at)}<a href="/u/${byName.get(name)}" rel="${LINK_REL}">@${written}</a>`;
    rest = rest.slice(at + 1 + written.length);
  }
  return out + rest;
}
