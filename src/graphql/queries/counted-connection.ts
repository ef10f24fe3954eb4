/** What a connection's totalCount needs: the count of every row its filter matches, read on demand. */
export interface Counts {
  total(): Promise<number>;
}

/** A connection with its counts attached, for the count fields of its type (types/connection-counts.ts). */
export const withCounts = <C extends object, K extends Counts>(connection: C, counts: K): C & { counts: K } => ({
  ...connection,
  counts,
});

/**
 * The counts a connection resolver attached. Pothos types a connection field's parent as the bare connection shape,
 * so the attached property is not in its type; every resolver of these connections attaches it (withCounts).
 */
export const countsOf = <K extends Counts>(connection: object): K => {
  const { counts } = connection as { counts?: K };
  if (!counts) throw new Error('connection resolved without counts (use withCounts)');
  return counts;
};
