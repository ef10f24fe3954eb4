/**
 * The idempotency key of one submission attempt: made on the first send and kept until the form changes or the
 * request is created, so a second click, or a retry after a lost answer, sends the same key and the server writes
 * the request at most once; an edited form is a new attempt with a new key.
 */
export interface SubmissionKey {
  /** This attempt's key, made on the first call. */
  current(): string;
  /** Starts a new attempt (the form changed, or the last one succeeded). */
  reset(): void;
}

export function createSubmissionKey(newKey: () => string = randomKey): SubmissionKey {
  let key: string | null = null;
  return {
    current: () => (key ??= newKey()),
    reset: () => {
      key = null;
    },
  };
}

/**
 * A random UUID. crypto.randomUUID exists only in secure contexts (https, localhost); a portal opened over plain
 * http on a LAN name still has getRandomValues, so the key is built from that there.
 */
export function randomKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
