import { Injectable } from '@nestjs/common';
import { Db } from '@app/database';
import { invalidValue, UserDocument } from '@app/scim';
import { domainOfAddress } from './domain-name';
import { DomainsRepository } from './domains.repository';

/**
 * "Manage user account details if they're associated with a domain your organization verified"
 * (seed 003): with the tenant's requireVerifiedDomain on, the user command handler asks this
 * before it writes a user. The userName's domain, and the primary (else work) e-mail's, must be
 * verified domains of the tenant, exactly: a subdomain is not covered by its parent, since a
 * parent's DNS owner may have delegated a subdomain (its mail, its users) to someone else; each
 * subdomain is verified on its own.
 */
@Injectable()
export class DomainPolicy {
  constructor(private readonly domains: DomainsRepository) {}

  /** Throws SCIM invalidValue naming the first domain (or address) that is not verified. */
  async assertManageable(db: Db, tenantId: string, document: UserDocument): Promise<void> {
    const addresses: Array<[attribute: string, value: string]> = [['userName', document.userName]];
    const email = primaryEmail(document);
    if (email !== undefined) addresses.push(['emails (primary)', email]);
    const domains = addresses.map(([attribute, value]) => {
      const domain = domainOfAddress(value);
      if (!domain) {
        throw invalidValue(
          `${attribute} has no domain (name@domain): this tenant manages only users of its verified domains`,
        );
      }
      return [attribute, domain] as const;
    });
    const verified = await this.domains.verifiedAmong(
      db,
      tenantId,
      domains.map(([, domain]) => domain),
    );
    const refused = domains.find(([, domain]) => !verified.has(domain));
    if (refused) {
      const [attribute, domain] = refused;
      throw invalidValue(
        `${attribute}: the domain '${domain}' is not a verified domain of this tenant (verify it at /v1/domains)`,
      );
    }
  }
}

/** The primary e-mail's value, else the work one's, if the user has either. */
function primaryEmail(document: UserDocument): string | undefined {
  const emails = Array.isArray(document.emails) ? (document.emails as unknown[]) : [];
  const entries = emails.filter(
    (e): e is { value: string; primary?: unknown; type?: unknown } =>
      typeof e === 'object' && e !== null && typeof (e as { value?: unknown }).value === 'string',
  );
  const chosen =
    entries.find((e) => e.primary === true) ??
    entries.find((e) => typeof e.type === 'string' && e.type.toLowerCase() === 'work');
  return chosen?.value;
}
