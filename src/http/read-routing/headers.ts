/** The request header a client sends with the newest cursor it has seen, for reads at least that fresh. */
export const MIN_CURSOR_HEADER = 'dvmm-min-cursor';
/** The response header of a mutation that wrote: the log position after its writes, as a cursor. */
export const CURSOR_HEADER = 'DVMM-Cursor';
