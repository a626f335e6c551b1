import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { map, Observable } from 'rxjs';
import { ScimGatewayConfig } from '../config/scim-gateway.config';
import { hasTruncatedRelated } from '../resources/truncated-related';

/**
 * `Scim-Members-Truncated: <SCIM_GROUP_MEMBERS_MAX>` on a Group read where some group lists only its
 * first members (those groups show exactly that many). SCIM has no paging inside an attribute; a
 * client that wants them all pages `GET /Users?filter=groups.value eq "<group id>"&startIndex=…`.
 */
@Injectable()
export class ScimMembersTruncatedInterceptor implements NestInterceptor {
  constructor(private readonly config: ScimGatewayConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((body: unknown) => {
        if (hasTruncatedRelated(body))
          context
            .switchToHttp()
            .getResponse<FastifyReply>()
            .header('Scim-Members-Truncated', String(this.config.SCIM_GROUP_MEMBERS_MAX));
        return body;
      }),
    );
  }
}
