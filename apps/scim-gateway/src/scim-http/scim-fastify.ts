import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError } from 'fastify';
import { invalidSyntax, ScimError } from '@app/scim';
import { sendScimError, toScimError } from './scim-exception.filter';

/**
 * Body parsing happens in Fastify before Nest sees the request: accept `application/scim+json`
 * (and plain JSON), and answer parse failures in the SCIM error schema too.
 */
export function configureScimHttp(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addContentTypeParser(
    /^application\/(scim\+)?json/i,
    { parseAs: 'string' },
    fastify.getDefaultJsonParser('error', 'ignore'),
  );
  const logger = new Logger('ScimHttp');
  fastify.setErrorHandler((error: FastifyError, _request, reply) => {
    sendScimError(reply, fastifyErrorToScim(error, logger));
  });
}

function fastifyErrorToScim(error: FastifyError, logger: Logger): ScimError {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ScimError(413, 'the request body is larger than this server accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ScimError(415, 'send application/scim+json or application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return invalidSyntax('the request body is empty');
    default:
      if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        return invalidSyntax(`the request body is not valid JSON: ${error.message}`);
      }
      if (error.statusCode && error.statusCode < 500) return new ScimError(error.statusCode, error.message);
      return toScimError(error, logger);
  }
}
