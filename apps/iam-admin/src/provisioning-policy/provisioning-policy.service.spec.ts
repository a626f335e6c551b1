import { DataSource, EntityManager } from 'typeorm';
import { FOLDERS_SCHEMA, METADATA_SCHEMA, normalizeUserDocument, USER_SCHEMA } from '@app/scim';
import { DomainPolicy } from '../domains/domain-policy';
import { FoldersRepository } from '../folders/folders.repository';
import { commandContext } from '../provisioning/command-context';
import { IamAdminConfig } from '../config/iam-admin.config';
import { TenantConfigCacheService } from '../tenant-config-cache/tenant-config-cache.service';
import { TenantConfigNotificationsRepository } from '../tenant-config-cache/tenant-config-notifications.repository';
import { ProvisioningPolicyService } from './provisioning-policy.service';
import { ProvisioningSettingsRepository, ProvisioningSettingsRow } from './provisioning-settings.repository';
import { subjectPolicyFacts } from './subject-policy-facts';

const em = {} as EntityManager;
const FINANCE = '0b6c4a52-93a4-4c1e-9f5e-6d1a2b3c4d5e';

function settingsRow(overrides: Partial<ProvisioningSettingsRow> = {}): ProvisioningSettingsRow {
  return {
    tenantId: 't1',
    provider: null,
    defaultRole: null,
    defaultUserType: null,
    requireVerifiedDomain: false,
    ignoreUnknownFolders: false,
    allowedMetadataKeys: null,
    version: 1,
    createdAt: new Date(),
    updatedAt: new Date(),
    updatedBy: 'admin',
    ...overrides,
  };
}

/** The policy over stand-in repositories: these settings rows, and one folder (FINANCE, externalId FIN-01). */
function policyWith(settings: ProvisioningSettingsRow | ProvisioningSettingsRow[] | undefined) {
  const forTenant = jest.fn().mockResolvedValue(settings === undefined ? [] : [settings].flat());
  const resolve = jest.fn(async (_db: unknown, _tenant: string, values: string[]) => {
    const found = new Map<string, string>();
    for (const v of values) if (v === FINANCE || v.toLowerCase() === 'fin-01') found.set(v, FINANCE);
    return found;
  });
  const assertManageable = jest.fn().mockResolvedValue(undefined);
  const policy = new ProvisioningPolicyService(
    { forTenant } as unknown as ProvisioningSettingsRepository,
    { resolve } as unknown as FoldersRepository,
    { assertManageable } as unknown as DomainPolicy,
    // Switched off, the cache keeps nothing: every apply reads the settings.
    new TenantConfigCacheService(
      {} as DataSource,
      { IAM_TENANT_CONFIG_CACHE: false } as IamAdminConfig,
      new TenantConfigNotificationsRepository(),
    ),
  );
  return { policy, forTenant, resolve, assertManageable };
}

const user = (extra: Record<string, unknown> = {}) =>
  normalizeUserDocument({ schemas: [USER_SCHEMA], userName: 'ada@contoso.com', ...extra });

describe('ProvisioningPolicyService', () => {
  it('without saved settings applies no policy: no default role, no userType required, any key, unknown folders grant nothing', async () => {
    const { policy } = policyWith(undefined);
    const context = commandContext('scim');
    const document = user({
      [`${METADATA_SCHEMA}:anything`]: 'x',
      [FOLDERS_SCHEMA]: { folders: ['Nowhere', 'FIN-01'] },
    });
    const result = await policy.apply(em, { tenantId: 't1', provider: 'entra' }, document, context);
    expect(result).toEqual({ document, folderIds: [FINANCE] });
    expect(context.decisions).toEqual(["unknown folder 'Nowhere' ignored"]);
  });

  it('applies defaultRole and defaultUserType to a user without them, recording each decision', async () => {
    const { policy } = policyWith(settingsRow({ defaultRole: 'User', defaultUserType: 'Standard' }));
    const context = commandContext('scim');
    const { document } = await policy.apply(em, { tenantId: 't1', provider: 'entra' }, user(), context);
    expect(document).toMatchObject({ roles: [{ value: 'User', primary: true }], userType: 'Standard' });
    expect(context.decisions).toEqual(['defaultRole User applied', 'defaultUserType Standard applied']);
    expect(subjectPolicyFacts({ document, folders: [], managedBy: 'scim' })).toMatchObject({
      access: { app: true, portal: true },
      roles: ['User'],
      userType: 'Standard',
    });
  });

  it('keeps the roles and userType a user has', async () => {
    const { policy } = policyWith(settingsRow({ defaultRole: 'User', defaultUserType: 'Standard' }));
    const context = commandContext('scim');
    const sent = user({ roles: [{ value: 'admin' }], userType: 'premium' });
    const { document } = await policy.apply(em, { tenantId: 't1', provider: 'entra' }, sent, context);
    expect(document).toMatchObject({ roles: [{ value: 'Admin' }], userType: 'Premium' });
    expect(context.decisions).toEqual([]);
  });

  it('with settings but no defaultUserType refuses a user without userType (400 invalidValue saying what is allowed)', async () => {
    const { policy } = policyWith(settingsRow());
    await expect(
      policy.apply(em, { tenantId: 't1', provider: 'entra' }, user(), commandContext('admin')),
    ).rejects.toMatchObject({
      status: 400,
      scimType: 'invalidValue',
      detail: expect.stringContaining('userType is required: Premium or Standard'),
    });
  });

  it('a user without roles and no defaultRole has app access only', async () => {
    const { policy } = policyWith(settingsRow({ defaultUserType: 'Premium' }));
    const { document } = await policy.apply(
      em,
      { tenantId: 't1', provider: 'entra' },
      user(),
      commandContext('scim'),
    );
    expect(subjectPolicyFacts({ document, folders: [], managedBy: null }).access).toEqual({
      app: true,
      portal: false,
    });
  });

  it('follows the command provider’s override, else the tenant’s settings', async () => {
    const { policy, forTenant } = policyWith([
      settingsRow({ defaultUserType: 'Standard' }),
      settingsRow({ provider: 'contoso', defaultUserType: 'Premium' }),
    ]);
    const userTypeFor = async (provider: string | null) =>
      (await policy.apply(em, { tenantId: 't1', provider }, user(), commandContext('scim'))).document
        .userType;
    expect(await userTypeFor('contoso')).toBe('Premium');
    expect(await userTypeFor('fabrikam')).toBe('Standard');
    expect(await userTypeFor(null)).toBe('Standard');
    expect(forTenant).toHaveBeenCalledWith(em, 't1');
  });

  it('a provider’s override applies even when the tenant has no settings of its own', async () => {
    const { policy } = policyWith(settingsRow({ provider: 'contoso', defaultUserType: 'Premium' }));
    const apply = (provider: string) =>
      policy.apply(em, { tenantId: 't1', provider }, user(), commandContext('scim'));
    await expect(apply('contoso')).resolves.toMatchObject({ document: { userType: 'Premium' } });
    // No policy for the others: no userType required, none supplied.
    expect((await apply('fabrikam')).document.userType).toBeUndefined();
  });

  it('reads the settings through the tenant configuration cache', async () => {
    const forTenant = jest.fn().mockResolvedValue([settingsRow({ defaultUserType: 'Premium' })]);
    const get = jest.fn(async (db: unknown, tenantId: string) => forTenant(db, tenantId));
    const cache = jest.fn().mockReturnValue({ get });
    const policy = new ProvisioningPolicyService(
      { forTenant } as unknown as ProvisioningSettingsRepository,
      { resolve: jest.fn().mockResolvedValue(new Map()) } as unknown as FoldersRepository,
      {} as DomainPolicy,
      { cache } as unknown as TenantConfigCacheService,
    );
    const { document } = await policy.apply(
      em,
      { tenantId: 't1', provider: 'entra' },
      user(),
      commandContext('scim'),
    );
    expect(document.userType).toBe('Premium');
    expect(cache).toHaveBeenCalledWith('provisioning-settings', expect.any(Function));
    expect(get).toHaveBeenCalledWith(em, 't1');
  });

  it('resolves folders by id or externalId and keeps the values as sent in the document', async () => {
    const { policy } = policyWith(undefined);
    const sent = user({ [FOLDERS_SCHEMA]: { folders: [' FIN-01 ', FINANCE] } });
    const result = await policy.apply(
      em,
      { tenantId: 't1', provider: 'entra' },
      sent,
      commandContext('scim'),
    );
    expect(result.folderIds).toEqual([FINANCE]);
    expect(result.document[FOLDERS_SCHEMA]).toEqual({ folders: ['FIN-01', FINANCE] });
  });

  it('refuses an unknown folder naming it, unless the tenant ignores unknown folders (then a decision)', async () => {
    const sent = user({ userType: 'Standard', [FOLDERS_SCHEMA]: { folders: ['FIN-01', 'Nowhere'] } });
    await expect(
      policyWith(settingsRow()).policy.apply(
        em,
        { tenantId: 't1', provider: 'entra' },
        sent,
        commandContext('scim'),
      ),
    ).rejects.toMatchObject({
      status: 400,
      scimType: 'invalidValue',
      detail: expect.stringContaining("'Nowhere'"),
    });

    const context = commandContext('scim');
    const { policy } = policyWith(settingsRow({ ignoreUnknownFolders: true, defaultUserType: 'Standard' }));
    const result = await policy.apply(em, { tenantId: 't1', provider: 'entra' }, sent, context);
    expect(result.folderIds).toEqual([FINANCE]);
    expect(context.decisions).toContain("unknown folder 'Nowhere' ignored");
  });

  it('allows only the listed metadata keys (ignoring case) when the tenant restricts them', async () => {
    const { policy } = policyWith(
      settingsRow({ allowedMetadataKeys: ['costCenter'], defaultUserType: 'Standard' }),
    );
    const target = { tenantId: 't1', provider: 'entra' };
    await expect(
      policy.apply(em, target, user({ [`${METADATA_SCHEMA}:CostCenter`]: 42 }), commandContext('scim')),
    ).resolves.toMatchObject({ document: { [METADATA_SCHEMA]: { CostCenter: '42' } } });
    await expect(
      policy.apply(em, target, user({ [`${METADATA_SCHEMA}:salary`]: '1' }), commandContext('scim')),
    ).rejects.toMatchObject({
      status: 400,
      scimType: 'invalidValue',
      detail: expect.stringContaining("'salary'"),
    });
  });

  it('asks for verified domains only for SCIM writes of a tenant that requires them', async () => {
    const target = { tenantId: 't1', provider: 'entra' };
    const off = policyWith(settingsRow({ defaultUserType: 'Standard' }));
    await off.policy.apply(em, target, user(), commandContext('scim'));
    expect(off.assertManageable).not.toHaveBeenCalled();
    const { policy, assertManageable } = policyWith(
      settingsRow({ requireVerifiedDomain: true, defaultUserType: 'Standard' }),
    );
    await policy.apply(em, target, user(), commandContext('admin'));
    expect(assertManageable).not.toHaveBeenCalled();
    await policy.apply(em, target, user(), commandContext('scim'));
    expect(assertManageable).toHaveBeenCalledWith(
      em,
      't1',
      expect.objectContaining({ userName: 'ada@contoso.com', userType: 'Standard' }),
    );
  });
});
