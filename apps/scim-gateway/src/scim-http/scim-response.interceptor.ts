import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Observable } from 'rxjs';
import { SCIM_MEDIA_TYPE } from './scim-media';

/** SCIM responses are `application/scim+json` (RFC 7644 §3.1). */
@Injectable()
export class ScimResponseInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    context.switchToHttp().getResponse<FastifyReply>().header('Content-Type', SCIM_MEDIA_TYPE);
    return next.handle();
  }
}
