import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

/** The DNS name whose TXT records prove a tenant controls `domain`. */
export const VERIFICATION_RECORD_PREFIX = '_iam-verify.';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A domain as stored and compared: lowercase ASCII (IDNA, so `bücher.example` and
 * `xn--bcher-kva.example` are one domain), without the trailing dot of a fully qualified name.
 * Throws a message naming what is wrong when the value is not a registrable host name: IP
 * addresses, wildcards, single labels (`localhost`, a bare TLD) and numeric TLDs are refused.
 */
export function normalizeDomain(value: string): string {
  const trimmed = value.trim().replace(/\.$/, '');
  if (trimmed === '') throw new DomainNameError('must not be empty');
  if (trimmed.includes('*')) throw new DomainNameError('must not be a wildcard');
  if (isIP(trimmed) || isIP(trimmed.replace(/^\[|\]$/g, ''))) {
    throw new DomainNameError('must be a domain name, not an IP address');
  }
  // domainToASCII answers '' for what WHATWG URL cannot take as a host (spaces, '/', '@', ':', a
  // numeric last label …).
  const ascii = /^[^\s/\\@:?#]+$/.test(trimmed) ? domainToASCII(trimmed) : '';
  if (ascii === '') throw new DomainNameError('must be a host name such as contoso.com');
  const labels = ascii.split('.');
  if (labels.length < 2) throw new DomainNameError('must have at least two labels, such as contoso.com');
  if (ascii.length > 253 || !labels.every((label) => LABEL.test(label))) {
    throw new DomainNameError(
      'must be a host name: labels of letters, digits and inner hyphens, at most 63 characters each',
    );
  }
  return ascii;
}

/** The domain of an address such as a userName or an e-mail (`user@Contoso.COM` → `contoso.com`). */
export function domainOfAddress(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at < 1 || at === address.length - 1) return undefined;
  try {
    return normalizeDomain(address.slice(at + 1));
  } catch {
    return undefined;
  }
}

/** Why a value is not a domain name; the message completes "domain …". */
export class DomainNameError extends Error {}
