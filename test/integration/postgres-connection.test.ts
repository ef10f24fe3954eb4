import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { adminUrl } from '../support/db.ts';

// postgres.js's connections as installed, with patches/postgres+3.4.9.patch applied by npm's postinstall. Each test
// loses a connection's socket at the moment that broke the unpatched driver: after a query's bytes were buffered
// for the next turn of the event loop (a write under 1 KiB waits for a setImmediate), before that turn came.
// The sockets come from postgres.js's `socket` option, so the test can end them exactly then.

const clients: postgres.Sql[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((sql) => sql.end({ timeout: 1 })));
});

/** A client whose sockets the test can reach: `sockets` lists every one it opened, newest last. */
function clientWithSockets(options: { max: number; connectTimeout: number }) {
  const url = new URL(adminUrl());
  const sockets: Socket[] = [];
  // `socket` (a factory of connected sockets) is a documented option that postgres.js's types leave out.
  const sql = postgres(adminUrl(), {
    max: options.max,
    connect_timeout: options.connectTimeout,
    onnotice: () => {},
    socket: () => {
      const socket = connect(Number(url.port || 5432), url.hostname);
      sockets.push(socket);
      return socket;
    },
  } as postgres.Options<Record<string, postgres.PostgresType>>);
  clients.push(sql);
  return { sql, sockets };
}

describe('postgres.js connections (patched) when a socket goes away', () => {
  it('a pooled connection whose socket closed with a write still buffered connects and answers again', async () => {
    // Unpatched, teardown cancelled the pending flush but left its timer handle set (and the bytes buffered), so
    // the connection never scheduled a flush again: its next startup message was never sent and every query on it
    // ended in "write CONNECT_TIMEOUT".
    const { sql, sockets } = clientWithSockets({ max: 1, connectTimeout: 3 });
    expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);

    // From inside a setImmediate callback (as any work woken in that phase of the event loop), a query is sent and
    // the socket closes: the query's flush then waits for the next loop's setImmediate phase, and the socket's
    // 'close' comes first, in this loop's close phase.
    const lost = await new Promise<Promise<unknown>>((resolve) =>
      setImmediate(async () => {
        const query = sql`select 2 as two`.then(
          () => 'answered',
          (error: { code?: string }) => error.code,
        );
        for (let i = 0; i < 10; i++) await null; // postgres.js hands the query to its connection a microtask later
        sockets.at(-1)!.destroy();
        resolve(query);
      }),
    );
    expect(await lost).toBe('CONNECTION_CLOSED');

    for (let i = 0; i < 3; i++) expect(await sql`select ${i}::int as i`).toEqual([{ i }]);
    expect(sockets.length).toBe(2);
  });

  it("a connection whose backend was terminated during a query does not fail its next query with that old error", async () => {
    // Unpatched, the server's last error ("terminating connection due to administrator command") stayed recorded
    // after the socket closed, and the reconnected connection failed its next query with it.
    const { sql } = clientWithSockets({ max: 1, connectTimeout: 3 });
    const killer = postgres(adminUrl(), { max: 1, onnotice: () => {} });
    clients.push(killer);
    const [{ pid }] = (await sql<{ pid: number }[]>`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
    const sleeping = sql`select pg_sleep(30)`.then(
      () => 'answered',
      (error: { code?: string }) => error.code,
    );
    await waitUntil(async () => (await killer`select 1 from pg_stat_activity where pid = ${pid} and query like 'select pg_sleep%'`).length === 1);
    await killer`select pg_terminate_backend(${pid})`;
    expect(await sleeping).toBe('CONNECTION_CLOSED');
    expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
  });

  it('a query on a reserved connection whose socket is gone is rejected instead of throwing out of a setImmediate', async () => {
    // Unpatched, the write was flushed from a setImmediate onto a socket already set to null: an uncaught TypeError
    // ("Cannot read properties of null (reading 'write')" at nextWrite) that no caller can catch ended the process.
    // Released, the connection then went back to the pool without a socket and failed every query given to it.
    // It runs in a child process so that an unpatched driver shows up as that child's crash, not this runner's.
    const script = `
      import net from 'node:net';
      import postgres from 'postgres';
      const url = new URL(process.env.PG_URL);
      const sockets = [];
      const sql = postgres(process.env.PG_URL, { max: 1, onnotice: () => {}, socket: () => {
        const socket = net.connect(Number(url.port || 5432), url.hostname);
        sockets.push(socket);
        return socket;
      } });
      const reserved = await sql.reserve();
      await reserved\`select 1\`;
      sockets.at(-1).destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const outcomes = [];
      for (let i = 0; i < 2; i++) outcomes.push(await reserved\`select 1\`.then(() => 'answered', (e) => e.code));
      await new Promise((resolve) => setTimeout(resolve, 50));
      reserved.release();
      const pool = [];
      for (let i = 0; i < 3; i++) pool.push((await sql\`select \${i}::int as i\`)[0].i);
      console.log(JSON.stringify({ outcomes, pool }));
      await sql.end({ timeout: 1 });
    `;
    const child = await runNode(script, { PG_URL: adminUrl() });
    expect(child.stderr).not.toContain('TypeError');
    expect(child.code).toBe(0);
    expect(JSON.parse(child.stdout.trim())).toEqual({ outcomes: ['CONNECTION_CLOSED', 'CONNECTION_CLOSED'], pool: [0, 1, 2] });
  });
});

async function waitUntil(probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await probe()); i++) await new Promise((resolve) => setTimeout(resolve, 25));
}

describe('postgres.js reserved connections (patched) when the socket closes with queries waiting', () => {
  it('fails the queries waiting behind a full pipeline instead of leaving them pending forever', async () => {
    // With max_pipeline 1, a second query fills the pipeline and a third waits in the reserved connection's own
    // queue. Unpatched, the socket's close left that one pending for good.
    const url = new URL(adminUrl());
    const sockets: Socket[] = [];
    const sql = postgres(adminUrl(), {
      max: 1,
      max_pipeline: 1,
      onnotice: () => {},
      socket: () => {
        const socket = connect(Number(url.port || 5432), url.hostname);
        sockets.push(socket);
        return socket;
      },
    } as postgres.Options<Record<string, postgres.PostgresType>>);
    clients.push(sql);
    const reserved = await sql.reserve();
    const outcome = (query: Promise<unknown>) => query.then(() => 'answered', (error: { code?: string }) => error.code);
    const queries = [outcome(reserved`select pg_sleep(1)`), outcome(reserved`select 2`), outcome(reserved`select 3`)];
    await new Promise((resolve) => setTimeout(resolve, 100));
    sockets.at(-1)!.destroy();
    const settled = await Promise.race([Promise.all(queries), new Promise((resolve) => setTimeout(() => resolve('still pending after 5 s'), 5_000))]);
    expect(settled).toEqual(['CONNECTION_CLOSED', 'CONNECTION_CLOSED', 'CONNECTION_CLOSED']);
    reserved.release();
    expect(await sql`select 4 as four`).toEqual([{ four: 4 }]);
  });
});

describe('postgres.js connections (patched) when a socket fails with an error', () => {
  it('fails a query sent between the socket error and its close instead of leaving it pending forever', async () => {
    // A transaction's next statement, sent from the previous one's rejection: the socket has failed (ECONNRESET)
    // but has not closed yet. Unpatched, nothing ever settled that statement.
    const { sql, sockets } = clientWithSockets({ max: 1, connectTimeout: 3 });
    const reserved = await sql.reserve();
    await reserved`select 1`;
    const next = new Promise<string>((resolve) => {
      reserved`select pg_sleep(1)`.catch(() => {
        reserved`select 2`.then(
          () => resolve('answered'),
          (error: { code?: string }) => resolve(error.code ?? 'failed'),
        );
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) =>
      setTimeout(() => resolve(sockets.at(-1)!.destroy(Object.assign(new Error('reset by the test'), { code: 'ECONNRESET' }))), 0),
    );
    const outcome = await Promise.race([next, new Promise((resolve) => setTimeout(() => resolve('still pending after 5 s'), 5_000))]);
    expect(outcome).toBe('CONNECTION_CLOSED');
    reserved.release();
    expect(await sql`select 3 as three`).toEqual([{ three: 3 }]);
  });
});

describe('postgres.js connections (patched) when a new connection fails while it reads the array types', () => {
  it('rejects the waiting query instead of leaving an unhandled rejection that ends the process', async () => {
    // The first socket dies as the connection sends its array-type query; the reconnect is refused. Unpatched, the
    // type read (an async function nobody awaits) was rejected too: an unhandled rejection ended the process.
    const script = `
      import net from 'node:net';
      import postgres from 'postgres';
      const url = new URL(process.env.PG_URL);
      const closed = net.createServer();
      await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const refusedPort = closed.address().port;
      await new Promise((resolve) => closed.close(resolve));
      let sockets = 0;
      const sql = postgres(process.env.PG_URL, { max: 1, onnotice: () => {}, socket: () => {
        if (++sockets > 1) return net.connect(refusedPort, '127.0.0.1');
        const socket = net.connect(Number(url.port || 5432), url.hostname);
        const write = socket.write.bind(socket);
        socket.write = (data, ...rest) => {
          if (String(data).includes('typarray')) return (socket.destroy(), true);
          return write(data, ...rest);
        };
        return socket;
      } });
      const outcome = await sql\`select 1\`.then(() => 'answered', (e) => e.code);
      await new Promise((resolve) => setTimeout(resolve, 100));
      console.log(JSON.stringify({ outcome, sockets }));
      await sql.end({ timeout: 1 });
    `;
    const child = await runNode(script, { PG_URL: adminUrl() });
    expect(child.stderr).toBe('');
    expect(child.code).toBe(0);
    expect(JSON.parse(child.stdout.trim())).toEqual({ outcome: 'ECONNREFUSED', sockets: 2 });
  });
});

function runNode(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // From the repository, so `import 'postgres'` finds node_modules.
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../../', import.meta.url),
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
