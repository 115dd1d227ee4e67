import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Routes of the notifications domain. */
const plugin: FastifyPluginAsyncTypebox = async () => {};

export default plugin;
