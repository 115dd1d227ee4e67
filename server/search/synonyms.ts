// The sociaal domein's own words: groups of equivalent terms (Wmo ↔ Wet maatschappelijke
// ondersteuning), from the repository's list and added by admins. Search rewrites the query with
// them (ts_rewrite over search_synonym_rule, migration 0016), so a change needs no reindex.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Synonym, SynonymBody } from '../../shared/schemas/search';
import type { Db } from '../db';
import { conflict, forbidden, invalidField, notFound } from '../http/errors';
import { type Viewer, mayManageSynonyms } from '../policy';
import { plainText } from '../content/sanitize';

interface SynonymFile {
  entries: { terms: string[]; source: string }[];
}

const FILE = new URL('./synonyms.nl.json', import.meta.url);

/** The repository's list, as committed. */
export function repositorySynonyms(): { terms: string[]; source: string }[] {
  return (JSON.parse(readFileSync(FILE, 'utf8')) as SynonymFile).entries;
}

async function refreshRules(db: Db): Promise<void> {
  await sql`refresh materialized view search_synonym_rule`.execute(db);
}

/**
 * Loads the repository's list into search_synonym when it changed since the last start (one
 * instance at a time; admins' entries are kept).
 */
export async function syncRepositorySynonyms(db: Db): Promise<boolean> {
  const raw = readFileSync(FILE);
  const sha256 = createHash('sha256').update(raw).digest('hex');
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('plein:search_synonym'))`.execute(trx);
    const current = await trx.selectFrom('search_synonym_source').select('sha256').executeTakeFirst();
    if (current?.sha256 === sha256) return false;
    const entries = (JSON.parse(raw.toString('utf8')) as SynonymFile).entries;
    await trx.deleteFrom('search_synonym').where('source', '=', 'repo').execute();
    await trx.insertInto('search_synonym').values(entries.map((e) => ({ terms: e.terms, source: 'repo' as const, created_by: null }))).execute();
    await trx.insertInto('search_synonym_source').values({ sha256 }).onConflict((oc) => oc.column('id').doUpdateSet({ sha256 })).execute();
    await refreshRules(trx);
    return true;
  });
}

const toSynonym = (r: { id: string; terms: string[]; source: 'repo' | 'admin' }): Synonym => ({ id: r.id, terms: r.terms, source: r.source });

/** Every group, the repository's first, then admins' newest first. */
export async function listSynonyms(db: Db, actor: Viewer): Promise<Synonym[]> {
  if (!mayManageSynonyms(actor)) throw forbidden('forbidden', 'Only admins manage synonyms.');
  const rows = await db.selectFrom('search_synonym').select(['id', 'terms', 'source']).orderBy(sql`source = 'admin'`).orderBy('id', 'desc').execute();
  return rows.map(toSynonym);
}

/** Adds a group of equivalent terms; applies to the next search. */
export async function addSynonym(db: Db, actor: Viewer, input: SynonymBody): Promise<Synonym> {
  if (!mayManageSynonyms(actor)) throw forbidden('forbidden', 'Only admins manage synonyms.');
  const terms = [...new Set(input.terms.map((t) => plainText(t)).filter((t) => t.length > 0))];
  if (terms.length < 2) throw invalidField('terms', 'give at least two different terms');
  // A term that is only stop words ("de", "het") would never match anything.
  const { rows } = await sql<{ term: string }>`select t as term from unnest(${terms}::text[]) t where numnode(plainto_tsquery('plein_dutch', t)) = 0`.execute(db);
  if (rows.length) throw invalidField('terms', `"${rows[0].term}" has no searchable words`);
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('plein:search_synonym'))`.execute(trx);
    const same = await trx.selectFrom('search_synonym').select('id').where(sql<boolean>`terms @> ${terms}::text[] and terms <@ ${terms}::text[]`).executeTakeFirst();
    if (same) throw conflict('synonym_exists', 'This group of terms already exists.');
    const row = await trx.insertInto('search_synonym').values({ terms, source: 'admin', created_by: actor!.id }).returning(['id', 'terms', 'source']).executeTakeFirstOrThrow();
    await refreshRules(trx);
    return toSynonym(row);
  });
}

/** Removes a group an admin added (the repository's list is changed in the repository). */
export async function removeSynonym(db: Db, actor: Viewer, id: string): Promise<void> {
  if (!mayManageSynonyms(actor)) throw forbidden('forbidden', 'Only admins manage synonyms.');
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('plein:search_synonym'))`.execute(trx);
    const row = await trx.selectFrom('search_synonym').select('source').where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('synonym');
    if (row.source === 'repo') throw conflict('synonym_in_repository', 'This entry comes from the repository list; change it there.');
    await trx.deleteFrom('search_synonym').where('id', '=', id).execute();
    await refreshRules(trx);
  });
}
