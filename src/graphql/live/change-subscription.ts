import type { GlobalCheckpoint } from '../../event-store/index.ts';
import { compareCheckpoints } from '../../projections/changes.ts';
import { createLiveIterator, type LiveIterator, type Step } from '../../live/live-iterator.ts';
import { createMailbox } from './mailbox.ts';
import type { LiveChange, Subscriber } from './types.ts';

export interface ChangeSubscriptionOptions {
  /** Does this change concern the subscriber (visibility, project filter)? Same rule as `readPage`. */
  accepts: (change: LiveChange) => boolean;
  /** The changes after `after` that `accepts` would take, in cursor order, at most `limit`. */
  readPage: (after: GlobalCheckpoint, limit: number) => Promise<LiveChange[]>;
  /** Deliver only changes after this cursor. */
  start: GlobalCheckpoint;
  /** Read what changed after `start` from the read model before going live (`since`). */
  replay: boolean;
  /** Distinct requests held for a consumer that is not keeping up. */
  capacity: number;
  pageSize: number;
  onClose: () => void;
}

/**
 * One vmRequestChanges subscriber: every change it may see, each once, in cursor order.
 *
 * Live, changes wait in a bounded mailbox (latest state per request). When the mailbox overflows, or when the
 * client asked to replay from `since`, the subscriber drops what it holds and reads pages from the read model
 * instead, which holds the same latest states, starting after the last cursor it delivered. Before each page read
 * it starts buffering live changes again, and only a page that came back short ends the replay: so nothing
 * committed between the page and the live changes is lost, and the cursor filter drops what the page already had.
 */
export const createChangeSubscription = (
  options: ChangeSubscriptionOptions,
): { subscriber: Subscriber; live: LiveIterator<LiveChange>; buffered: () => number } => {
  let mode: 'live' | 'replay' = options.replay ? 'replay' : 'live';
  let last = options.start;
  /** The newest change handed to `deliver`: the feed hands changes out in cursor order, so anything older is stale. */
  let received = options.start;
  let page: LiveChange[] = [];
  const mailbox = createMailbox<LiveChange>(options.capacity);

  const fresh = (change: LiveChange): boolean => compareCheckpoints(change.checkpoint, last) > 0;
  const take = (change: LiveChange): Step<LiveChange> => {
    last = change.checkpoint;
    return { value: change };
  };

  const pull = async (): Promise<Step<LiveChange>> => {
    for (;;) {
      const replayed = page.shift();
      if (replayed) {
        if (fresh(replayed)) return take(replayed);
        continue;
      }
      if (mode === 'replay') {
        mode = 'live';
        page = await options.readPage(last, options.pageSize);
        if (page.length >= options.pageSize) {
          // More than a page behind: the rest comes from the read model too, not from what piles up meanwhile.
          mode = 'replay';
          mailbox.clear();
        }
        continue;
      }
      const queued = mailbox.shift();
      if (!queued) return 'wait';
      if (fresh(queued)) return take(queued);
    }
  };

  const live = createLiveIterator(pull, () => {
    mailbox.clear();
    page = [];
    options.onClose();
  });

  const subscriber: Subscriber = {
    deliver(change) {
      if (mode === 'replay' || !fresh(change) || compareCheckpoints(change.checkpoint, received) <= 0) return;
      if (!options.accepts(change)) return;
      received = change.checkpoint;
      // A version rebuilt from one projector batch (fill-versions.ts), or the row change that ended it, must not
      // replace the versions before it: they take a slot of their own, in cursor order, within the same capacity.
      if (!mailbox.put(change.earlier ? change.cursor : change.view.id, change)) {
        mailbox.clear();
        mode = 'replay';
      }
      live.wake();
    },
  };
  return { subscriber, live, buffered: () => mailbox.size + page.length };
};
