import { Logger, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { cacheControlFor, CONSOLE_CSP, findConsoleDir, listConsoleFiles } from './console-files';

/**
 * Serves the operator console (apps/console, built into dist/console) at /console: its files as
 * built, and index.html for every other path below /console/ so the single-page app's own paths
 * survive a reload. The console is static: it reaches IAM only through the public admin API.
 */
@Module({})
export class ConsoleModule implements OnModuleInit {
  private readonly logger = new Logger(ConsoleModule.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const dir = findConsoleDir();
    if (!dir) {
      this.logger.warn('The operator console is not built (npm run build); /console answers 404');
      fastify.get('/console*', (_request, reply) =>
        secure(reply)
          .status(404)
          .type('text/plain')
          .send('The operator console is not built: run npm run build.'),
      );
      return;
    }
    const files = listConsoleFiles(dir);
    // serve: false — only reply.sendFile, for the files listed above; no directory listing or guessing.
    await fastify.register(fastifyStatic, { root: dir, serve: false, cacheControl: false });
    fastify.get('/console', (_request, reply) => secure(reply).redirect('/console/', 301));
    fastify.get<{ Params: { '*': string } }>('/console/*', (request, reply) => {
      const wanted = request.params['*'];
      const file = files.has(wanted) && wanted !== 'index.html' ? wanted : 'index.html';
      return secure(reply).header('cache-control', cacheControlFor(file)).sendFile(file);
    });
  }
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}
