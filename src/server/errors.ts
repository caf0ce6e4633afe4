import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export interface ErrorDetail {
  index?: number;
  path: string;
  message: string;
}

/** The one error type handlers throw; the error handler shapes every body as `{error:{code,message,details}}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const fastifyCodes: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'request body is larger than this endpoint accepts'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'Content-Type must be application/json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json', 'request body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json', 'request body is not valid JSON'],
};

export function errorHandler(this: unknown, err: FastifyError | HttpError, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof HttpError) {
    for (const [k, v] of Object.entries(err.headers)) void reply.header(k, v);
    return reply.status(err.status).send({ error: { code: err.code, message: err.message, details: err.details } });
  }
  const known = fastifyCodes[(err as FastifyError).code ?? ''];
  if (known) {
    const [status, code, message] = known;
    const limit = status === 413 ? ` (limit ${req.routeOptions.bodyLimit ?? ''} bytes)` : '';
    return reply.status(status).send({ error: { code, message: message + limit, details: [] } });
  }
  const status = (err as FastifyError).statusCode;
  if (status && status < 500) {
    return reply.status(status).send({ error: { code: 'bad_request', message: err.message, details: [] } });
  }
  req.log.error({ err }, 'request failed');
  return reply.status(500).send({ error: { code: 'internal', message: 'internal error; see the server log', details: [] } });
}

export function notFound(req: FastifyRequest, reply: FastifyReply) {
  return reply.status(404).send({ error: { code: 'not_found', message: `no route for ${req.method} ${req.url.split('?')[0]}`, details: [] } });
}
