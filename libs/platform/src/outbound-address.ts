import { lookup as dnsLookup, LookupAddress, LookupAllOptions } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { BlockList, isIP, LookupFunction, Socket } from 'node:net';

/** What an operator may relax in the outbound-request policy. */
export interface OutboundSettings {
  NODE_ENV: string;
  /** Loopback targets (a local OpenID Provider or webhook receiver); refused in production whatever this says. */
  OUTBOUND_ALLOW_LOOPBACK: boolean;
  /** Comma-separated CIDRs that may be reached although private (internal webhook receivers). */
  OUTBOUND_ALLOWED_NETWORKS?: string;
}

/** Thrown (or handed to a socket) when a URL or a resolved address is not one IAM may call. */
export class OutboundAddressRefused extends Error {
  readonly code = 'EOUTBOUNDREFUSED';
}

const FORBIDDEN_NETWORKS: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'shared (carrier-grade NAT)'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'ipv4', 'documentation'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['198.51.100.0', 24, 'ipv4', 'documentation'],
  ['203.0.113.0', 24, 'ipv4', 'documentation'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  // IPv4-compatible (::a.b.c.d) and unspecified; IPv4-mapped (::ffff:a.b.c.d) is checked by BlockList
  // against the IPv4 rules above.
  ['::', 96, 'ipv6', 'unspecified or IPv4-compatible'],
  // Translation prefixes can carry any IPv4 address, private ones included.
  ['::ffff:0:0:0', 96, 'ipv6', 'IPv4-translated (SIIT)'],
  ['64:ff9b::', 96, 'ipv6', 'NAT64'],
  ['64:ff9b:1::', 48, 'ipv6', 'NAT64 (local use)'],
  ['2002::', 16, 'ipv6', '6to4'],
  ['100::', 64, 'ipv6', 'discard-only'],
  ['2001:db8::', 32, 'ipv6', 'documentation'],
  ['fc00::', 7, 'ipv6', 'unique-local (cloud metadata)'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fec0::', 10, 'ipv6', 'site-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Cloud metadata services and link-local: refused even inside OUTBOUND_ALLOWED_NETWORKS. */
const NEVER = new BlockList();
NEVER.addSubnet('169.254.0.0', 16, 'ipv4');
NEVER.addSubnet('fe80::', 10, 'ipv6');
NEVER.addAddress('fd00:ec2::254', 'ipv6'); // AWS IMDS over IPv6
NEVER.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata

/**
 * Which addresses IAM may send requests to on a tenant's behalf (webhook receivers, OpenID
 * Providers). Tenant admins choose those URLs, so without this policy they could make IAM call
 * its own network: the cloud metadata service, Redis, PostgreSQL, internal admin endpoints.
 *
 * URLs are checked when they are saved (literal addresses, `localhost`), and every connection is
 * checked again on the addresses DNS actually returned, by the socket's own lookup — so a name that
 * later resolves (or rebinds) to a private address is refused at the moment of connecting, and the
 * connection goes to exactly the address that was checked. Redirects are never followed.
 */
export class OutboundAddressPolicy {
  private readonly allowed = new BlockList();
  private readonly forbidden = new BlockList();
  private readonly reasons: Array<[BlockList, string]> = [];
  readonly allowLoopback: boolean;

  /** Agents to pass to node's http/https requests; they apply the policy to every connection. */
  readonly httpAgent: http.Agent;
  readonly httpsAgent: https.Agent;

  constructor(
    settings: OutboundSettings,
    private readonly resolve: Resolver = (hostname, options, callback) =>
      dnsLookup(hostname, options, callback),
  ) {
    this.allowLoopback = settings.OUTBOUND_ALLOW_LOOPBACK && settings.NODE_ENV !== 'production';
    for (const cidr of parseNetworks(settings.OUTBOUND_ALLOWED_NETWORKS)) {
      this.allowed.addSubnet(cidr.address, cidr.prefix, cidr.family);
    }
    for (const [address, prefix, family, reason] of FORBIDDEN_NETWORKS) {
      const list = new BlockList();
      list.addSubnet(address, prefix, family);
      this.forbidden.addSubnet(address, prefix, family);
      this.reasons.push([list, reason]);
    }
    this.httpAgent = guardedAgent(new http.Agent(), this);
    this.httpsAgent = guardedAgent(new https.Agent(), this);
  }

  /** Why IAM may not connect to this IP address, or undefined when it may. */
  addressRefusal(address: string): string | undefined {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (NEVER.check(address, family)) return `${address} is a link-local (cloud metadata) address`;
    if (LOOPBACK.check(address, family)) {
      return this.allowLoopback ? undefined : `${address} is a loopback address`;
    }
    if (this.allowed.check(address, family)) return undefined;
    if (!this.forbidden.check(address, family)) return undefined;
    const reason = this.reasons.find(([list]) => list.check(address, family))?.[1] ?? 'non-public';
    return `${address} is a ${reason} address`;
  }

  /**
   * Why a URL may not be saved as a target, or undefined. Checks what can be known without DNS:
   * the scheme, literal addresses in any spelling the URL parser accepts (`2130706433`, `0x7f.1`,
   * `[::ffff:127.0.0.1]` all become the address they mean) and `localhost` names.
   */
  urlRefusal(value: string): string | undefined {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'must be an absolute URL';
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const loopbackName = host === 'localhost' || host.endsWith('.localhost');
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL';
    if (url.username || url.password) return 'must not carry credentials';
    if (loopbackName) return this.allowLoopback ? undefined : `${host} is a loopback address`;
    if (isIP(host)) {
      const refusal = this.addressRefusal(host);
      if (refusal) return refusal;
      if (url.protocol === 'http:' && !LOOPBACK.check(host, isIP(host) === 6 ? 'ipv6' : 'ipv4'))
        return 'must be an https URL (http only to a loopback address)';
      return undefined;
    }
    if (url.protocol === 'http:') return 'must be an https URL (http only to a loopback address)';
    return undefined;
  }

  /** A `dns.lookup` replacement that fails when any address the name resolves to is refused. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.resolve(hostname, { ...options, all: true }, (error, list) => {
      if (error) return callback(error, '', 0);
      const refused = list.map((a) => this.addressRefusal(a.address)).find(Boolean);
      if (refused || list.length === 0) {
        return callback(
          new OutboundAddressRefused(`refused to connect to ${hostname}: ${refused ?? 'no address'}`),
          '',
          0,
        );
      }
      if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };

  /** The socket-level check for a connection to `host` (a literal address skips DNS, so it is checked here). */
  connectionRefusal(host: string | undefined): string | undefined {
    const bare = (host ?? '').replace(/^\[|\]$/g, '');
    return isIP(bare) ? this.addressRefusal(bare) : undefined;
  }
}

/** dns.lookup with `all: true`; tests substitute their own. */
export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

type ConnectionFactory = (
  options: { host?: string | null },
  callback: (error: Error | null, socket?: Socket) => void,
) => Socket | undefined;

/** An agent whose every connection is checked by the policy, literal address or resolved name alike. */
function guardedAgent<A extends http.Agent>(agent: A, policy: OutboundAddressPolicy): A {
  const target = agent as unknown as { createConnection: ConnectionFactory };
  const create = target.createConnection.bind(agent);
  target.createConnection = (options, callback) => {
    const refusal = policy.connectionRefusal(options.host ?? undefined);
    if (refusal) {
      callback(new OutboundAddressRefused(`refused to connect: ${refusal}`));
      return undefined;
    }
    return create({ ...options, lookup: policy.lookup } as typeof options, callback);
  };
  return agent;
}

function parseNetworks(
  value: string | undefined,
): Array<{ address: string; prefix: number; family: 'ipv4' | 'ipv6' }> {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((cidr) => {
      const [address = '', prefix] = cidr.split('/');
      const version = isIP(address);
      if (!version) throw new Error(`not a network: ${cidr}`);
      return {
        address,
        prefix: prefix === undefined ? (version === 6 ? 128 : 32) : Number(prefix),
        family: version === 6 ? 'ipv6' : 'ipv4',
      };
    });
}

/**
 * POSTs under the policy and answers the status code. The response body is not read and a
 * redirect is not followed (a 3xx is just a status): a receiver cannot bounce IAM elsewhere.
 */
export function postOutbound(
  policy: OutboundAddressPolicy,
  url: string,
  options: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const request = (secure ? https : http).request(
      target,
      {
        method: 'POST',
        headers: { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) },
        agent: secure ? policy.httpsAgent : policy.httpAgent,
      },
      (response) => {
        clearTimeout(deadline);
        resolve(response.statusCode ?? 0);
        response.destroy();
      },
    );
    const deadline = setTimeout(
      () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    request.on('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    request.end(options.body);
  });
}
