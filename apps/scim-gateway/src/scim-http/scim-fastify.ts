import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { invalidSyntax } from '@app/scim';

/**
 * Body parsing happens in Fastify before Nest sees the request. One JSON parser serves
 * `application/scim+json` and `application/json`, and a body that is not JSON becomes a SCIM
 * `invalidSyntax` error (Nest's own mapping would lose the scimType). An empty body is no body.
 */
export function configureScimHttp(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'ignore');
  const parser: Parameters<typeof fastify.addContentTypeParser<string>>[2] = (request, body, done) => {
    if (body === '') return done(null, undefined);
    parseJson(request, body, (error, parsed) =>
      error
        ? done(invalidSyntax(`the request body is not valid JSON: ${error.message}`), undefined)
        : done(null, parsed),
    );
  };
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, parser);
  fastify.addContentTypeParser(/^application\/scim\+json/i, { parseAs: 'string' }, parser);
}
