/**
 * The verifier's former name, kept only because test/security/admin-surface.e2e-spec.ts imports it
 * from this path (that test is outside the gateway and was not to be edited). Once it imports
 * ScimTokenVerifier from './scim-token-verifier', delete this file.
 */
export { ScimTokenVerifier as ScimTokensService } from './scim-token-verifier';
