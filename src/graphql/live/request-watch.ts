import { isTerminal } from '../../domain/index.ts';
import { compareCheckpoints } from '../../projections/changes.ts';
import type { VmRequestView } from '../views/vm-request.ts';
import { earliestUndelivered } from './fill-versions.ts';
import { createLiveIterator, type LiveIterator, type Step } from '../../live/live-iterator.ts';
import type { LiveChange, Subscriber } from './types.ts';

/**
 * One vmRequestUpdated subscriber: the states of one request, each newer than the one before, ending after a
 * terminal status has been delivered. It holds at most one undelivered state (the latest), so a slow consumer
 * skips intermediate states and never holds more. `accepts` re-checks visibility on every change.
 */
export const createRequestWatch = (
  accepts: (change: LiveChange) => boolean,
  onClose: () => void,
): { subscriber: Subscriber; live: LiveIterator<VmRequestView>; buffered: () => number } => {
  let delivered: LiveChange | null = null;
  let latest: LiveChange | null = null;
  let finished = false;

  const newer = (change: LiveChange, than: LiveChange | null): boolean =>
    than === null || compareCheckpoints(change.checkpoint, than.checkpoint) > 0;

  const pull = (): Step<VmRequestView> => {
    if (finished) return 'done';
    const next = latest;
    latest = null;
    if (!next || !newer(next, delivered)) return 'wait';
    // Versions rebuilt from one projector batch come first; the change stays held until they are out.
    const step = earliestUndelivered(next, delivered?.checkpoint ?? null);
    if (step !== next) latest = next;
    delivered = step;
    if (isTerminal(step.view.status)) finished = true;
    return { value: step.view };
  };

  const live = createLiveIterator(pull, () => {
    latest = null;
    onClose();
  });

  const subscriber: Subscriber = {
    deliver(change) {
      if (finished || !newer(change, delivered) || !newer(change, latest) || !accepts(change)) return;
      latest = change;
      live.wake();
    },
  };
  return { subscriber, live, buffered: () => (latest ? 1 : 0) };
};
