import { Injectable } from '@nestjs/common';
import { Resolver } from 'node:dns/promises';
import { IamAdminConfig } from '../config/iam-admin.config';
import { parseDnsServers } from './dns-servers';

/** What DNS answered for a name's TXT records. */
export type TxtAnswer =
  | { kind: 'records'; values: string[] }
  | { kind: 'nxdomain' }
  | { kind: 'timeout' }
  | { kind: 'error'; code: string };

/**
 * TXT lookups through node:dns (c-ares), at the resolvers named in IAM_DNS_SERVERS or the
 * system's, each bounded by IAM_DNS_TIMEOUT_MS in all (every server tried gets its share).
 */
@Injectable()
export class DnsTxtResolver {
  private readonly servers: string[] | undefined;

  constructor(private readonly config: IamAdminConfig) {
    this.servers = config.IAM_DNS_SERVERS ? parseDnsServers(config.IAM_DNS_SERVERS) : undefined;
  }

  async txt(name: string): Promise<TxtAnswer> {
    const total = this.config.IAM_DNS_TIMEOUT_MS;
    const resolver = new Resolver({
      timeout: Math.max(50, Math.floor(total / (this.servers?.length ?? 1))),
      tries: 1,
    });
    if (this.servers) resolver.setServers(this.servers);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<TxtAnswer>((resolve) => {
      timer = setTimeout(() => {
        resolver.cancel();
        resolve({ kind: 'timeout' });
      }, total);
    });
    const lookup = resolver.resolveTxt(name).then(
      (records): TxtAnswer => ({ kind: 'records', values: records.map((chunks) => chunks.join('')) }),
      (error: NodeJS.ErrnoException): TxtAnswer => answerOf(error),
    );
    try {
      return await Promise.race([lookup, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function answerOf(error: NodeJS.ErrnoException): TxtAnswer {
  switch (error.code) {
    case 'ENOTFOUND':
      return { kind: 'nxdomain' };
    case 'ENODATA':
      return { kind: 'records', values: [] };
    case 'ETIMEOUT':
    case 'ECANCELLED':
      return { kind: 'timeout' };
    default:
      return { kind: 'error', code: typeof error.code === 'string' ? error.code : 'unknown' };
  }
}
