// A JWT is three base64url segments; anything longer than this is not a token we would ever issue or accept.
const MAX_TOKEN_LENGTH = 8192;

/**
 * The token of an `Authorization: Bearer <token>` value, or null when the value is absent or not of that form.
 * The scheme is case-insensitive (RFC 7235); the token is taken as is.
 */
export function parseBearer(value: string | null | undefined): string | null {
  if (typeof value !== 'string') return null;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(value);
  const token = match?.[1];
  if (!token || token.length > MAX_TOKEN_LENGTH) return null;
  return token;
}
