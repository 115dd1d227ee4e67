import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors';

const CODES_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

type ValidationItem = { instancePath?: string; params?: Record<string, unknown>; message?: string };

/** Turns ajv's errors into `{field: why}`; nested paths become dotted names. */
function validationFields(items: ValidationItem[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const item of items) {
    let name = (item.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    if (item.params && typeof item.params.missingProperty === 'string') {
      name = name ? `${name}.${item.params.missingProperty}` : item.params.missingProperty;
    }
    if (!name) name = '_';
    fields[name] ??= item.message ?? 'is invalid';
  }
  return fields;
}

/**
 * Errors the router raises before any route runs (a path segment over 100 characters: 414, a path
 * that is not valid percent-encoding: 400), in the same error shape. Fastify's `frameworkErrors`.
 */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  const code = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'uri_too_long' : 'bad_url';
  const message = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A part of this address is too long.' : 'This address is not valid.';
  reply.status(status).send({ error: { code, message } });
}

/** Every 4xx/5xx leaves in the api.md error shape; a 500 never shows a stack trace. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) {
      if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
      return reply.status(err.statusCode).send({
        error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}), ...(err.extra ?? {}) },
      });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const fields = validationFields(fe.validation as ValidationItem[]);
      const where = fe.validationContext ?? 'request';
      return reply.status(400).send({
        error: { code: 'validation_failed', message: `Invalid ${where}: ${fe.message}`, fields },
      });
    }
    const status = fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 600 ? fe.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.status(status).send({ error: { code: 'internal_error', message: 'Something went wrong on our side.' } });
    }
    let code = CODES_BY_STATUS[status] ?? 'bad_request';
    if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe instanceof SyntaxError) {
      code = 'invalid_json';
    }
    return reply.status(status).send({ error: { code, message: fe.message } });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` } });
  });
}
