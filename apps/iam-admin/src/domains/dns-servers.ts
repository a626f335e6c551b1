import { isIP } from 'node:net';

/**
 * IAM_DNS_SERVERS entries as node:dns `setServers` takes them: `host[:port]` with an IP host,
 * IPv6 as `[::1]:53` (or bare `::1` without a port). Undefined when one is not such an entry.
 */
export function parseDnsServers(value: string): string[] | undefined {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.length > 0 && entries.every(isDnsServer) ? entries : undefined;
}

function isDnsServer(entry: string): boolean {
  if (isIP(entry) !== 0) return true;
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(entry);
  if (!match) return false;
  const [, ipv6, ipv4, port] = match;
  const hostOk = ipv6 !== undefined ? isIP(ipv6) === 6 : isIP(ipv4!) === 4;
  return hostOk && (port === undefined || (Number(port) >= 1 && Number(port) <= 65535));
}
