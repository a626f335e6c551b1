import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { reportUnexpectedError } from '@app/platform';
import type { FastifyReply } from 'fastify';

/**
 * Every admin API error is JSON `{statusCode, error, message[, errors]}`. Unexpected errors are
 * logged with a correlation id and answered without their details.
 */
@Catch()
export class AdminExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('AdminApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      void reply
        .status(status)
        .send(
          typeof body === 'string'
            ? { statusCode: status, error: HttpStatus[status], message: body }
            : { statusCode: status, ...normalise(body as Record<string, unknown>) },
        );
      return;
    }
    const { correlationId, message } = reportUnexpectedError(this.logger, exception, 'the admin API');
    void reply.status(500).send({ statusCode: 500, error: 'Internal Server Error', message, correlationId });
  }
}

/** Nest's own exceptions carry `message` as an array sometimes; answer with one string. */
function normalise(body: Record<string, unknown>): Record<string, unknown> {
  const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
  return { ...body, message };
}
