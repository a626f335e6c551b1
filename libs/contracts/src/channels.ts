/** Redis pub/sub channel on which IAM announces a revoked SCIM token (payload: the token id). */
export const scimTokenRevokedChannel = (queuePrefix: string): string => `${queuePrefix}:scim-token-revoked`;
