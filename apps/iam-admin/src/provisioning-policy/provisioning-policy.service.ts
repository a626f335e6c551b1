import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  FOLDERS_SCHEMA,
  invalidValue,
  METADATA_SCHEMA,
  USER_TYPES,
  UserDocument,
  userPolicyView,
  UserPolicyView,
  withUserDefaults,
} from '@app/scim';
import { Db } from '@app/database';
import { DomainPolicy } from '../domains/domain-policy';
import { FoldersRepository } from '../folders/folders.repository';
import type { CommandContext } from '../provisioning/command-context';
import {
  TenantConfigCacheService,
  TenantConfigReader,
} from '../tenant-config-cache/tenant-config-cache.service';
import {
  effectiveSettings,
  ProvisioningSettings,
  ProvisioningSettingsRepository,
  ProvisioningSettingsRow,
} from './provisioning-settings.repository';

/** Which tenant a user document is written into, and by which identity provider's SCIM token (if any). */
export interface PolicyTarget {
  tenantId: string;
  /** The scheme whose per-provider settings override the tenant's; null for writes no provider sent. */
  provider: string | null;
}

/** A user document as the tenant's policy lets it be written, and the folders it grants. */
export interface PolicyResult {
  document: UserDocument;
  /** The resolved folder ids (the subject's folder set from now on), sorted. */
  folderIds: string[];
}

/**
 * The tenant's provisioning policy applied to a User document about to be written (create,
 * replace, patch; SCIM, operator API and sign-in alike). It refuses with SCIM 400 invalidValue
 * what the tenant does not allow, fills in its defaults, and records in the command context what
 * it decided without refusing.
 *
 * Opting in: a tenant without settings has no policy. Its users keep what Entra sent (no default
 * role, userType may be absent, any metadata key), and folder values that name no folder grant
 * nothing (recorded as a decision) rather than refuse the user. Saving settings (PUT
 * /v1/provisioning/settings) turns the policy on: from then on a user needs a userType (seed 004:
 * "exactly Premium or Standard otherwise the user may not be provisioned"), supplied by
 * defaultUserType when Entra sends none, and an unknown folder is refused unless
 * ignoreUnknownFolders.
 *
 * The settings are read for every write, and change rarely: they come from the tenant
 * configuration cache, which every settings change (and a provider's deletion) drops everywhere.
 */
@Injectable()
export class ProvisioningPolicyService {
  /** Every settings row of a tenant (its own and its providers' overrides), kept in memory. */
  private readonly tenantSettings: TenantConfigReader<ProvisioningSettingsRow[]>;

  constructor(
    settings: ProvisioningSettingsRepository,
    private readonly folders: FoldersRepository,
    private readonly domains: DomainPolicy,
    cache: TenantConfigCacheService,
  ) {
    this.tenantSettings = cache.cache('provisioning-settings', (db: Db, tenantId: string) =>
      settings.forTenant(db, tenantId),
    );
  }

  /**
   * `previous`: for a PATCH, the stored document it was applied to (see withoutStaleValues). Only
   * what the PATCH brings is then validated: metadata keys it sets, folder values it adds, a
   * userType it removes. A stored value the tenant no longer allows (a folder deleted since, a key
   * no longer allowed, no userType from before the policy) does not refuse a PATCH that leaves it.
   */
  async apply(
    em: EntityManager,
    target: PolicyTarget,
    document: UserDocument,
    context: CommandContext,
    previous?: UserDocument,
  ): Promise<PolicyResult> {
    const settings = effectiveSettings(await this.tenantSettings.get(em, target.tenantId), target.provider);
    const view = userPolicyView(document);
    const before = previous && userPolicyView(previous);
    this.checkMetadataKeys(newMetadata(view.metadata, before?.metadata ?? {}), settings);
    const folderIds = await this.resolveFolders(
      em,
      target.tenantId,
      view.folders,
      settings,
      context,
      new Set(before?.folders),
    );
    const userTypeKept = before !== undefined && before.userType === view.userType;
    const withDefaults = this.withDefaults(document, view, settings, context, userTypeKept);
    // Seed 003: SCIM manages only users of the tenant's verified domains (operators may add others).
    if (settings?.requireVerifiedDomain && context.source === 'scim') {
      await this.domains.assertManageable(em, target.tenantId, withDefaults);
    }
    return { document: withDefaults, folderIds };
  }

  /** The default role when the user has none; the userType the tenant requires (or its default). */
  private withDefaults(
    document: UserDocument,
    view: UserPolicyView,
    settings: ProvisioningSettings | undefined,
    context: CommandContext,
    userTypeKept: boolean,
  ): UserDocument {
    if (!settings) return document;
    const role = view.roles.length === 0 ? (settings.defaultRole ?? undefined) : undefined;
    const userType = view.userType === undefined ? (settings.defaultUserType ?? undefined) : undefined;
    if (view.userType === undefined && !userType && userTypeKept) {
      context.decisions.push(
        'no userType (stored before the policy): not required of a PATCH that leaves it',
      );
    } else if (view.userType === undefined && !userType) {
      throw invalidValue(
        `userType is required: ${USER_TYPES.join(' or ')} (set a defaultUserType in /v1/provisioning/settings to supply one)`,
      );
    }
    if (role) context.decisions.push(`defaultRole ${role} applied`);
    if (userType) context.decisions.push(`defaultUserType ${userType} applied`);
    return role || userType ? withUserDefaults(document, { role, userType }) : document;
  }

  /**
   * Folder values name folders of the tenant by id or externalId. The SCIM document keeps them as
   * Entra sent them (Entra compares what it sent); the subject's access is the resolved set.
   */
  private async resolveFolders(
    em: EntityManager,
    tenantId: string,
    values: string[],
    settings: ProvisioningSettings | undefined,
    context: CommandContext,
    stored: ReadonlySet<string>,
  ): Promise<string[]> {
    const resolved = await this.folders.resolve(em, tenantId, values);
    for (const value of values.filter((v) => !resolved.has(v))) {
      if (stored.has(value)) {
        context.decisions.push(`stored folder '${value}' names no folder (deleted since?): ignored`);
        continue;
      }
      if (settings && !settings.ignoreUnknownFolders) {
        throw invalidValue(
          `${FOLDERS_SCHEMA}:folders: '${value}' is not a folder of this tenant (use a folder id or externalId)`,
        );
      }
      context.decisions.push(`unknown folder '${value}' ignored`);
    }
    return [...new Set(resolved.values())].sort();
  }

  private checkMetadataKeys(
    metadata: Record<string, string>,
    settings: ProvisioningSettings | undefined,
  ): void {
    const allowed = settings?.allowedMetadataKeys;
    if (!allowed) return;
    const lower = new Set(allowed.map((k) => k.toLowerCase()));
    const refused = Object.keys(metadata).find((key) => !lower.has(key.toLowerCase()));
    if (refused !== undefined) {
      throw invalidValue(
        `${METADATA_SCHEMA}:${refused}: metadata key '${refused}' is not allowed in this tenant ` +
          `(allowed: ${allowed.join(', ') || 'none'})`,
      );
    }
  }
}

/** The metadata entries a write sets or changes (a PATCH's own); all of them for a create or replace. */
function newMetadata(after: Record<string, string>, before: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(after).filter(([key, value]) => before[key] !== value));
}
