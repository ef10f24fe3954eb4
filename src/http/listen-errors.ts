import { createServer } from 'node:net';
import { ConfigError } from '../config-error.ts';

/**
 * What listening failed with, said in terms of the variables that chose the address: `ports` names them
 * ({ PORT: 4000 }), the error's own port says which one failed. Other errors come back unchanged.
 */
export function listenError(error: unknown, ports: Record<string, number>, host: string | undefined): unknown {
  const failed = error as (NodeJS.ErrnoException & { port?: number }) | null;
  const port = failed?.port ?? Object.values(ports)[0];
  const variable = Object.entries(ports).find(([, value]) => value === port)?.[0];
  const set = (...names: (string | undefined)[]) => {
    const known = names.filter((name): name is string => name !== undefined);
    return known.length > 0 ? `: set ${known.join(' or ')}` : '';
  };
  // Only the listen itself (and the lookup of HOST): an EACCES reading a file is no port's fault.
  if (failed?.syscall !== 'listen' && failed?.syscall !== 'getaddrinfo') return error;
  const where = host ? ` on ${host}` : '';
  switch (failed.code) {
    case 'EADDRINUSE':
      return new ConfigError(`port ${port}${where} is in use${set(variable, host ? 'HOST' : undefined)}`);
    case 'EACCES':
      return new ConfigError(`port ${port}${where} needs privileges this process lacks${set(variable)}`);
    case 'EADDRNOTAVAIL':
      return new ConfigError(`HOST ${host} is not an address of this machine: set HOST`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConfigError(`HOST ${host} does not resolve to an address: set HOST`);
    default:
      return error;
  }
}

/**
 * Fails with a ConfigError when `port` (named by `variable`, on HOST) cannot be listened on, before anything slow starts (the database,
 * migrations). The server listens the same way later; a process that takes the port in between still gets the same
 * message from there. Port 0 is always free.
 */
export async function assertCanListen(variable: string, port: number, host: string | undefined): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(port, host, () => resolve());
  }).catch((error: unknown) => {
    throw listenError(error, { [variable]: port }, host);
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
