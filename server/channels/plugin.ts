import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Routes of the channels domain. */
const plugin: FastifyPluginAsyncTypebox = async () => {};

export default plugin;
