/** What the live feed refuses, for the API layer to map onto its own errors. */
export type LiveErrorCode =
  /** A `since` that is not a cursor this server hands out. */
  | 'INVALID_CURSOR'
  /** A `since` (or a subscriber's position) older than the versions kept; `cursor` is where to resume from. */
  | 'CURSOR_EXPIRED';

export class LiveError extends Error {
  constructor(
    readonly code: LiveErrorCode,
    message: string,
    /** For CURSOR_EXPIRED: the source's current checkpoint, to subscribe from after reloading the current state. */
    readonly cursor?: string,
  ) {
    super(message);
    this.name = 'LiveError';
  }
}
