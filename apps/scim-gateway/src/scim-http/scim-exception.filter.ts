import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { reportUnexpectedError } from '@app/platform';
import type { FastifyReply } from 'fastify';
import { ScimError } from '@app/scim';
import { noteScimRefusal } from '../metrics/scim-metrics';
import { SCIM_MEDIA_TYPE } from './scim-media';

/** Every gateway error leaves as a SCIM Error (RFC 7644 §3.12), `status` a string. */
@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ScimApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    sendScimError(host.switchToHttp().getResponse<FastifyReply>(), toScimError(exception, this.logger));
  }
}

/** Maps anything thrown while serving a SCIM request; Fastify's own errors (413, …) arrive as HttpExceptions. */
export function toScimError(exception: unknown, logger: Logger): ScimError {
  if (exception instanceof ScimError) return exception;
  if (exception instanceof HttpException) {
    const body = exception.getResponse();
    const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    return new ScimError(
      exception.getStatus(),
      Array.isArray(message) ? message.join('; ') : String(message ?? exception.message),
    );
  }
  return new ScimError(500, reportUnexpectedError(logger, exception, 'the SCIM API').message);
}

export function sendScimError(reply: FastifyReply, error: ScimError): void {
  noteScimRefusal(reply.request, error.scimType);
  if (error.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="SCIM"');
  const retryAfter = (error as { retryAfter?: number }).retryAfter;
  if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
  void reply
    .status(error.status)
    .header('Content-Type', SCIM_MEDIA_TYPE)
    .send(JSON.stringify(error.toJSON()));
}
