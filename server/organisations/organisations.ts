// Verified organisations: admins keep their names and e-mail domains; a user whose verified e-mail
// (or the e-mail of a linked organisation login that counts as verified) is in a domain belongs to
// that organisation. The user row keeps the link and the organisation's name, so authors are
// presented without a join; syncOrganisations is the one place that sets them.
import type { Selectable, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { CreateOrganisationBody, Organisation, UpdateOrganisationBody } from '../../shared/schemas/organisations';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import type { Database } from '../db/schema';
import type { OrganisationTable } from '../db/tables/organisations';
import { conflict, forbidden, notFound } from '../http/errors';
import { type Actor, mayManageOrganisations } from '../policy';
import { announceAuthorChange } from '../accounts/author-events';
import { type OrganisationMatch, setVerifiedOrganisations } from '../accounts/users';

type Trx = Transaction<Database>;

const normaliseDomains = (domains: string[]) => [...new Set(domains.map((d) => d.trim().toLowerCase().replace(/\.$/, '')))];

function requireManager(actor: Actor): void {
  if (!mayManageOrganisations(actor)) throw forbidden('forbidden', 'Only admins may manage organisations.');
}

export const organisationLogoUrl = (row: Pick<Selectable<OrganisationTable>, 'id' | 'logo_key'>) =>
  row.logo_key ? `/api/organisations/${row.id}/logo?v=${encodeURIComponent(row.logo_key.slice(0, 12))}` : null;

async function present(db: Db | Trx, ids?: string[]): Promise<Organisation[]> {
  let q = db
    .selectFrom('organisation as o')
    .select([
      'o.id',
      'o.name',
      'o.logo_key',
      sql<string[]>`array(select d.domain from organisation_domain d where d.organisation_id = o.id order by d.domain)`.as('domains'),
      sql<number>`(select count(*)::int from "user" u where u.organisation_id = o.id)`.as('member_count'),
    ])
    .orderBy(sql`lower(o.name)`)
    .orderBy('o.id');
  if (ids) q = q.where('o.id', 'in', ids);
  const rows = await q.execute();
  return rows.map((r) => ({ id: r.id, name: r.name, domains: r.domains, logoUrl: organisationLogoUrl(r), memberCount: Number(r.member_count) }));
}

export async function listOrganisations(db: Db, actor: Actor): Promise<Organisation[]> {
  requireManager(actor);
  return present(db);
}

function translateConflict(err: unknown): never {
  if (isUniqueViolation(err, 'organisation_domain_pkey')) throw conflict('domain_taken', 'One of these domains already belongs to another organisation.');
  if (isUniqueViolation(err, 'organisation_name_lower_idx')) throw conflict('name_taken', 'An organisation with this name already exists.');
  throw err;
}

export async function createOrganisation(db: Db, actor: Actor, body: CreateOrganisationBody): Promise<Organisation> {
  requireManager(actor);
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('organisation').values({ name: body.name.trim(), logo_key: null }).returning('id').executeTakeFirstOrThrow();
      await trx.insertInto('organisation_domain').values(normaliseDomains(body.domains).map((domain) => ({ domain, organisation_id: row.id }))).execute();
      await syncOrganisations(trx);
      await announceAuthorChange(trx, actor.id);
      return (await present(trx, [row.id]))[0];
    });
  } catch (err) {
    translateConflict(err);
  }
}

export async function updateOrganisation(db: Db, actor: Actor, id: string, body: UpdateOrganisationBody): Promise<Organisation> {
  requireManager(actor);
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('organisation').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row) throw notFound('organisation');
      if (body.name !== undefined) await trx.updateTable('organisation').set({ name: body.name.trim(), updated_at: new Date() }).where('id', '=', id).execute();
      if (body.domains !== undefined) {
        await trx.deleteFrom('organisation_domain').where('organisation_id', '=', id).execute();
        const domains = normaliseDomains(body.domains);
        if (domains.length) await trx.insertInto('organisation_domain').values(domains.map((domain) => ({ domain, organisation_id: id }))).execute();
      }
      await syncOrganisations(trx);
      await announceAuthorChange(trx, actor.id);
      return (await present(trx, [id]))[0];
    });
  } catch (err) {
    translateConflict(err);
  }
}

/** Deletes an organisation: its members keep its name as free text, without the mark. */
export async function deleteOrganisation(db: Db, actor: Actor, id: string): Promise<{ logoKey: string | null }> {
  requireManager(actor);
  return db.transaction().execute(async (trx) => {
    const row = await trx.deleteFrom('organisation').where('id', '=', id).returning('logo_key').executeTakeFirst();
    if (!row) throw notFound('organisation');
    await announceAuthorChange(trx, actor.id);
    return { logoKey: row.logo_key };
  });
}

/** Points the organisation's logo at `key` (null: none); the key it replaces. */
export async function swapOrganisationLogo(db: Db | Trx, actor: Actor, id: string, key: string | null): Promise<string | null> {
  requireManager(actor);
  const before = await db.selectFrom('organisation').select('logo_key').where('id', '=', id).forUpdate().executeTakeFirst();
  if (!before) throw notFound('organisation');
  await db.updateTable('organisation').set({ logo_key: key, updated_at: new Date() }).where('id', '=', id).execute();
  return before.logo_key;
}

export async function organisationLogo(db: Db, id: string): Promise<string> {
  const row = await db.selectFrom('organisation').select('logo_key').where('id', '=', id).executeTakeFirst();
  if (!row?.logo_key) throw notFound('logo');
  return row.logo_key;
}

/**
 * Sets every user's verified organisation from their verified addresses (all users, or `userIds`):
 * the account's e-mail once verified, and the e-mail of linked organisation logins whose provider
 * vouches for it. Those who no longer match lose the mark and keep the name as free text.
 */
export async function syncOrganisations(db: Db | Trx, userIds?: string[]): Promise<void> {
  const scope = userIds ? sql`and u.id = any(${userIds}::bigint[])` : sql``;
  const { rows } = await sql<OrganisationMatch>`
    with verified as (
      select u.id as user_id, lower(split_part(u.email, '@', 2)) as domain from "user" u where u.email_verified_at is not null ${scope}
      union all
      select i.user_id, lower(split_part(i.email, '@', 2)) from oidc_identity i join "user" u on u.id = i.user_id where i.email_verified and i.email is not null ${scope}
    )
    select distinct on (v.user_id) v.user_id::text as "userId", d.organisation_id::text as "organisationId", o.name
    from verified v join organisation_domain d on d.domain = v.domain join organisation o on o.id = d.organisation_id
    order by v.user_id, d.organisation_id`.execute(db);
  await setVerifiedOrganisations(db, userIds, rows);
}
