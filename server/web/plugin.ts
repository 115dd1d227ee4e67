import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

export const clientDistDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/client');

/**
 * Serves the built SPA from dist/client with history-API fallback: any GET that is not /api/*
 * and not a file gets index.html, so deep links work.
 */
const webPlugin: FastifyPluginAsync = async (app) => {
  const indexFile = path.join(clientDistDir, 'index.html');
  if (!existsSync(indexFile)) {
    app.log.warn('dist/client is missing: run `npm run build` to serve the web client');
    return;
  }
  await app.register(fastifyStatic, {
    root: clientDistDir,
    wildcard: false,
    index: false,
    setHeaders(res, filePath) {
      // Vite's hashed assets never change; index.html always revalidates.
      if (filePath.includes(`${path.sep}assets${path.sep}`)) res.header('cache-control', 'public, max-age=31536000, immutable');
    },
  });
  const indexHtml = await readFile(indexFile, 'utf8');
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    if (request.url.startsWith('/api/') || request.url === '/api') {
      return reply.status(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` } });
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(indexHtml);
  });
};

export default webPlugin;
