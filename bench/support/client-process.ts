import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ScaleReply, ScaleTask } from '../scale-clients.ts';

/** A process of bench/scale-clients.ts: clients off the instances' event loops, their CPU and memory apart. */
export class ClientProcess {
  readonly child: ChildProcess;
  constructor() {
    this.child = fork(fileURLToPath(new URL('../scale-clients.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  }
  get pid(): number {
    return this.child.pid!;
  }
  ask<K extends ScaleReply['kind']>(task: ScaleTask, kind: K): Promise<Extract<ScaleReply, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: ScaleReply) => {
        this.child.off('message', onMessage);
        if (reply.kind === 'error') reject(new Error(reply.message));
        else if (reply.kind !== kind) reject(new Error(`expected ${kind}, got ${reply.kind}`));
        else resolve(reply as Extract<ScaleReply, { kind: K }>);
      };
      this.child.on('message', onMessage);
      this.child.send(task);
    });
  }
  stop(): void {
    this.child.kill();
  }
}
