import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Routes of the moderation domain. */
const plugin: FastifyPluginAsyncTypebox = async () => {};

export default plugin;
