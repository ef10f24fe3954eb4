import type { GlobalCheckpoint } from '../../event-store/index.ts';
import type { VmRequestView } from '../views/vm-request.ts';

/**
 * One state of a request as the read model committed it, with its change cursor. The live feed builds one per
 * changed row and hands the same object to every matching subscriber.
 */
export interface LiveChange {
  view: VmRequestView;
  checkpoint: GlobalCheckpoint;
  /** The opaque cursor of `checkpoint` (VmRequestChange.cursor; `since` takes it back). */
  cursor: string;
  /** Versions of this request the projector applied in the same batch, oldest first (see fill-versions.ts). */
  earlier?: LiveChange[];
}

/** Somebody in this process who wants changes: told of every change of their tenant that might concern them. */
export interface Subscriber {
  deliver(change: LiveChange): void;
}
