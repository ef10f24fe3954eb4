import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';

/** Live heap (after a full GC) by what holds it: bytes and object counts per constructor, closure name or kind. */
export type HeapSummary = Map<string, { bytes: number; count: number }>;

/**
 * A heap snapshot of the process behind `inspectorUrl` (it collects garbage first), summed by constructor. Two of
 * them taken at different subscriber counts say what each subscriber costs, object by object: memoryUsage deltas
 * give only the total.
 */
export async function heapSummary(inspectorUrl: string, saveAs?: string): Promise<HeapSummary> {
  const socket = new WebSocket(inspectorUrl, { maxPayload: 1 << 30 });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const chunks: string[] = [];
  let id = 0;
  const call = (method: string, params: object = {}): Promise<void> =>
    new Promise((resolve, reject) => {
      const mine = ++id;
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(String(data)) as { id?: number; method?: string; params?: { chunk: string }; error?: { message: string } };
        if (message.method === 'HeapProfiler.addHeapSnapshotChunk') return void chunks.push(message.params!.chunk);
        if (message.id !== mine) return;
        socket.off('message', onMessage);
        if (message.error) reject(new Error(`${method}: ${message.error.message}`));
        else resolve();
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id: mine, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    socket.close();
  }
  const text = chunks.join('');
  // For a closer look (retainers, property names) in Chrome's DevTools.
  if (saveAs) writeFileSync(saveAs, text);
  return summarize(JSON.parse(text) as Snapshot);
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

function summarize(snapshot: Snapshot): HeapSummary {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field)) as [number, number, number];
  const summary: HeapSummary = new Map();
  const { nodes, strings } = snapshot;
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + typeAt]!]!;
    const name = strings[nodes[i + nameAt]!]!;
    const key =
      type === 'object' || type === 'native'
        ? name
        : type === 'closure'
          ? `closure ${name || '(anonymous)'}`
          : type.endsWith('string')
            ? '(strings)'
            : type === 'hidden' || type === 'array' || type === 'object shape'
              ? `(${type}) ${name.replace(/\d+/g, 'N').slice(0, 40)}`
              : `(${type})`;
    const entry = summary.get(key);
    if (entry) {
      entry.bytes += nodes[i + sizeAt]!;
      entry.count++;
    } else summary.set(key, { bytes: nodes[i + sizeAt]!, count: 1 });
  }
  return summary;
}

/** What grew from `before` to `after`, per one of `per` (subscribers), largest first. */
export function heapGrowth(before: HeapSummary, after: HeapSummary, per: number): { key: string; bytes: number; count: number }[] {
  const rows: { key: string; bytes: number; count: number }[] = [];
  for (const [key, { bytes, count }] of after) {
    const old = before.get(key) ?? { bytes: 0, count: 0 };
    rows.push({ key, bytes: (bytes - old.bytes) / per, count: (count - old.count) / per });
  }
  return rows.sort((a, b) => b.bytes - a.bytes);
}

/** Records a CPU profile of the process behind `inspectorUrl` while `work` runs, into `file` (.cpuprofile). */
export async function cpuProfile<T>(inspectorUrl: string, file: string, work: () => Promise<T>): Promise<T> {
  const socket = new WebSocket(inspectorUrl, { maxPayload: 1 << 30 });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let id = 0;
  const call = (method: string, params: object = {}): Promise<{ profile?: unknown }> =>
    new Promise((resolve, reject) => {
      const mine = ++id;
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(String(data)) as { id?: number; result?: { profile?: unknown }; error?: { message: string } };
        if (message.id !== mine) return;
        socket.off('message', onMessage);
        if (message.error) reject(new Error(`${method}: ${message.error.message}`));
        else resolve(message.result ?? {});
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id: mine, method, params }));
    });
  try {
    await call('Profiler.enable');
    await call('Profiler.setSamplingInterval', { interval: 200 });
    await call('Profiler.start');
    const result = await work();
    const { profile } = await call('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    return result;
  } finally {
    socket.close();
  }
}
