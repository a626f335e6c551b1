/**
 * Every column that holds a sealed secret, with the column naming its row. A ciphertext is bound to
 * its column and row (AES-GCM associated data), so one copied into another row does not open there,
 * and `npm run secrets:reencrypt` knows exactly what to rewrite.
 */
export interface SealedColumn {
  table: string;
  column: string;
  idColumn: string;
}

export const SEALED_COLUMNS = {
  identityProviderClientSecret: {
    table: 'identity_providers',
    column: 'client_secret_ciphertext',
    idColumn: 'id',
  },
  webhookSigningSecret: { table: 'webhook_subscriptions', column: 'secret_ciphertext', idColumn: 'id' },
  tokenSigningKey: { table: 'signing_keys', column: 'private_key_ciphertext', idColumn: 'kid' },
} as const satisfies Record<string, SealedColumn>;
