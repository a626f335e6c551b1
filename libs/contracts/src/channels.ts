/** Redis pub/sub channel on which IAM announces a revoked SCIM token (payload: the token id). */
export const scimTokenRevokedChannel = (queuePrefix: string): string => `${queuePrefix}:scim-token-revoked`;

/** IAM announces a disabled tenant here (payload: the tenant id): gateways stop trusting its SCIM tokens. */
export const tenantDisabledChannel = (queuePrefix: string): string => `${queuePrefix}:tenant-disabled`;

/** IAM announces a disabled identity provider here (payload: its id): its SCIM tokens stop working. */
export const identityProviderDisabledChannel = (queuePrefix: string): string =>
  `${queuePrefix}:identity-provider-disabled`;
