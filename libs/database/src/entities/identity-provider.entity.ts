import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

/** An SSO identity provider of a tenant (today: Azure AD / Entra ID over OIDC), addressed by its scheme. */
@Entity({ name: 'identity_providers' })
@Unique('uq_identity_providers_tenant_scheme', ['tenantId', 'scheme'])
export class IdentityProviderEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ type: 'text' })
  scheme: string;

  @Column({ type: 'text' })
  kind: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName: string;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @Column({ type: 'text' })
  type: string;

  @Column({ name: 'login_enabled', type: 'boolean' })
  loginEnabled: boolean;

  @Column({ type: 'boolean' })
  visible: boolean;

  @Column({ name: 'delegation_enabled', type: 'boolean' })
  delegationEnabled: boolean;

  @Column({ name: 'auto_provisioning_enabled', type: 'boolean' })
  autoProvisioningEnabled: boolean;

  @Column({ name: 'client_id', type: 'text' })
  clientId: string;

  /** AES-256-GCM ciphertext (see SecretCipher); never selected unless asked for. */
  @Column({ name: 'client_secret_ciphertext', type: 'text', nullable: true, select: false })
  clientSecretCiphertext: string | null;

  @Column({ name: 'has_client_secret', type: 'boolean' })
  hasClientSecret: boolean;

  @Column({ name: 'use_pkce', type: 'boolean' })
  usePkce: boolean;

  @Column({ type: 'text' })
  authority: string;

  @Column({ name: 'response_type', type: 'text' })
  responseType: string;

  @Column({ type: 'text' })
  scope: string;

  /** Redirect URIs registered for the app in Entra ID (web, mobile and desktop); only these are accepted. */
  @Column({ name: 'redirect_uris', type: 'text', array: true, default: () => "'{}'" })
  redirectUris: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
