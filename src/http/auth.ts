// Token verification for HTTP and WebSocket, and token minting for the CLI and tests.
export { authConfig, type AuthConfig } from './auth/config.ts';
export { createAuthenticator, type Authenticator, type AuthFailureReason, type AuthResult } from './auth/verifier.ts';
export { mintToken, type MintOptions, type TokenClaims } from './auth/mint.ts';
export { parseBearer } from './auth/bearer.ts';
export { principalFromClaims } from './auth/claims.ts';
export { devSecret } from './auth/dev-secret.ts';
