import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Routes of the video-sessions domain. */
const plugin: FastifyPluginAsyncTypebox = async () => {};

export default plugin;
