import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, IdParams } from '../../shared/schemas/common';
import { CreateOrganisationBody, Organisation, UpdateOrganisationBody } from '../../shared/schemas/organisations';
import { requireRole } from '../accounts/guards';
import { createOrganisation, deleteOrganisation, listOrganisations, updateOrganisation } from './organisations';

const tags = ['organisations'];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** Verified organisations, kept by admins on the Beheer page. */
const organisationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/admin/organisations', { schema: { tags, summary: 'All organisations (admin)', response: { 200: Type.Object({ items: Type.Array(Organisation) }), ...errors } } }, async (request) => ({
    items: await listOrganisations(app.db, requireRole(request, 'admin')),
  }));
  app.post(
    '/api/admin/organisations',
    { schema: { tags, summary: 'Add an organisation with its e-mail domains (admin)', body: CreateOrganisationBody, response: { 201: Type.Object({ organisation: Organisation }), ...errors } } },
    async (request, reply) => reply.status(201).send({ organisation: await createOrganisation(app.db, requireRole(request, 'admin'), request.body) }),
  );
  app.patch(
    '/api/admin/organisations/:id',
    { schema: { tags, summary: 'Rename an organisation or change its domains (admin)', params: IdParams, body: UpdateOrganisationBody, response: { 200: Type.Object({ organisation: Organisation }), ...errors } } },
    async (request) => ({ organisation: await updateOrganisation(app.db, requireRole(request, 'admin'), request.params.id, request.body) }),
  );
  app.delete('/api/admin/organisations/:id', { schema: { tags, summary: 'Remove an organisation (admin); its members keep the name without the mark', params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
    await deleteOrganisation(app.db, requireRole(request, 'admin'), request.params.id);
    return reply.status(204).send(null);
  });
};

export default organisationRoutes;
