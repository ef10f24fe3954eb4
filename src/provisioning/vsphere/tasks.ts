import { HypervisorError } from '../hypervisor-error.ts';
import { isFault, taskFaultError } from './faults.ts';
import type { CallContext, SoapClient } from './soap-client.ts';
import { child, childrenNamed, each, el, type MoRef, moRefXml, textOf, toMoRef, type XmlNode } from './xml.ts';

export interface TaskWait {
  /** Overall limit for the task to finish (VsphereOptions.taskTimeoutMs). */
  taskTimeoutMs: number;
  /** Each WaitForUpdatesEx call's own HTTP limit is this plus the server-side wait. */
  callTimeoutMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * Waits for a task to succeed and returns its info.result; throws its info.error as a VimFaultError. Uses its own
 * PropertyCollector (CreatePropertyCollector), so the updates of concurrent waits on one session never mix, and
 * WaitForUpdatesEx with a server-side wait, so no polling interval is needed.
 */
export async function waitForTask(client: SoapClient, task: MoRef, description: string, wait: TaskWait): Promise<XmlNode | null> {
  const ctx: CallContext = { signal: wait.signal };
  const { propertyCollector } = await client.connect(ctx);
  const created = await client.call('CreatePropertyCollector', propertyCollector, [], ctx);
  const collectorNode = child(created, 'returnval');
  if (collectorNode === null) throw new HypervisorError('UNKNOWN', 'CreatePropertyCollector returned no collector');
  const collector = toMoRef(collectorNode);
  const generation = client.generation;
  try {
    await client.call(
      'CreateFilter',
      collector,
      [
        el('spec', [
          el('propSet', [el('type', 'Task'), each('pathSet', ['info.state', 'info.error', 'info.result'])]),
          el('objectSet', [moRefXml('obj', task), el('skip', false)]),
        ]),
        el('partialUpdates', false),
      ],
      ctx,
    );
    const deadline = Date.now() + wait.taskTimeoutMs;
    const seen = new Map<string, XmlNode | null>();
    let version = '';
    for (;;) {
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) {
        throw new HypervisorError('CONNECTION_TIMEOUT', `${description} did not finish within ${wait.taskTimeoutMs} ms (${task.value})`);
      }
      const maxWaitSeconds = Math.max(1, Math.min(Math.ceil(remainingMs / 1000), Math.ceil(wait.callTimeoutMs / 2000)));
      const reply = await client
        .call('WaitForUpdatesEx', collector, [el('version', version), el('options', [el('maxWaitSeconds', maxWaitSeconds)])], {
          signal: wait.signal,
          timeoutMs: maxWaitSeconds * 1000 + wait.callTimeoutMs,
        })
        .catch((error: unknown) => {
          // The session was replaced mid-wait (it expired, or vCenter restarted): the collector went with it.
          if (client.generation !== generation && isFault(error, 'ManagedObjectNotFound')) {
            throw new HypervisorError('CONNECTION_FAILED', `the vCenter session was lost while waiting for ${description}`);
          }
          throw error;
        });
      const updateSet = child(reply, 'returnval');
      if (updateSet === null) continue;
      version = textOf(updateSet, 'version');
      for (const filter of childrenNamed(updateSet, 'filterSet')) {
        for (const object of childrenNamed(filter, 'objectSet')) {
          for (const change of childrenNamed(object, 'changeSet')) {
            seen.set(textOf(change, 'name'), textOf(change, 'op') === 'remove' ? null : child(change, 'val'));
          }
        }
      }
      const state = seen.get('info.state')?.text;
      if (state === 'success') return seen.get('info.result') ?? null;
      if (state === 'error') {
        const error = seen.get('info.error');
        if (error) throw taskFaultError(error, description);
        throw new HypervisorError('UNKNOWN', `${description} failed without an error (${task.value})`);
      }
    }
  } finally {
    await client.call('DestroyPropertyCollector', collector, [], { signal: wait.signal }).catch(() => undefined);
  }
}

/** Starts a *_Task method and waits for it. */
export async function runTask(
  client: SoapClient,
  method: string,
  target: MoRef,
  body: Parameters<SoapClient['call']>[2],
  description: string,
  wait: TaskWait,
): Promise<XmlNode | null> {
  const started = await client.call(method, target, body, { signal: wait.signal });
  const taskNode = child(started, 'returnval');
  if (taskNode === null) throw new HypervisorError('UNKNOWN', `${method} returned no task`);
  return waitForTask(client, toMoRef(taskNode), description, wait);
}
