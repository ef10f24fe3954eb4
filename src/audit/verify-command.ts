import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type postgres from 'postgres';
import { loadConfig } from '../config/index.ts';
import { parseGlobalId } from '../graphql/ids.ts';
import { parsePublicKey, sealKey, type SealKeySettings } from './seal-key.ts';
import { sealsFromText } from './seal-commands.ts';
import type { SealFacts } from './seal-statement.ts';
import { verifyLog, type LogAudit } from './verify-log.ts';
import { verifyStreamAudit, type AuditProblem } from './verify-stream.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const USAGE = 'verify [streamId | GraphQL id] [--public-key <pem file>]... [--seal <seals file>]';

/**
 * `npm run cli -- verify`: the whole audit trail, or one stream (its raw id, or the id the API shows). Exit 0 when
 * intact, 1 when the stream is not found or the arguments are wrong, 2 when something is broken (for scripts and cron).
 * Without --public-key, seals are checked with the seal key `config` names (the CLI's: this process's configuration).
 */
export async function verifyCommand(
  sql: postgres.Sql,
  args: string[],
  out: (line: string) => void = console.log,
  config: SealKeySettings = loadConfig(),
): Promise<number> {
  let parsed: { id: string | null; publicKeys: KeyObject[]; sealsFile: string | null };
  try {
    parsed = parseArgs(args, config);
  } catch (error) {
    out(`verify: ${(error as Error).message}\nusage: ${USAGE}`);
    return 1;
  }
  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(2)} s`;
  if (parsed.id !== null) {
    const global = parseGlobalId(parsed.id);
    // Stream ids are lowercase UUIDs; one pasted in capitals is the same stream.
    const streamId = global?.id ?? (UUID.test(parsed.id) ? parsed.id.toLowerCase() : parsed.id);
    const scope = global ? `stream ${streamId} (${global.typename} ${parsed.id})` : `stream ${streamId}`;
    const audit = await verifyStreamAudit(sql, streamId);
    if (!audit.found) {
      out(`${scope}: not found (no events, no chained events, no read model row)`);
      return 1;
    }
    const sealed = audit.sealedUpTo === null ? 'the log is not sealed yet' : `the log is sealed up to position ${audit.sealedUpTo}`;
    if (audit.intact) {
      out(`${scope}: intact (${audit.checked} events checked in ${elapsed()}; ${sealed})`);
      return 0;
    }
    const [first, ...rest] = audit.problems;
    out(`${scope}: BROKEN ${where(first!)}: ${first!.reason} (${audit.checked} events checked; ${sealed})`);
    for (const problem of rest) out(`  also ${where(problem)}: ${problem.reason}`);
    return 2;
  }

  let externalSeals;
  try {
    externalSeals = parsed.sealsFile ? sealsFromText(readFileSync(parsed.sealsFile, 'utf8')) : [];
  } catch (error) {
    out(`verify: --seal ${parsed.sealsFile}: ${(error as Error).message}`);
    return 1;
  }
  const audit = await verifyLog(sql, { publicKeys: parsed.publicKeys, externalSeals });
  const summary = `${audit.checked} events checked in ${elapsed()}; ${chainSummary(audit)}`;
  if (audit.intact) {
    out(`event store: intact (${summary})`);
    return 0;
  }
  const [first, ...rest] = audit.problems;
  if (first) out(`event store: BROKEN ${where(first)}: ${first.reason}${contradicts(first)} (${summary})`);
  else out(`event store: BROKEN: ${audit.sealProblems[0]!.reason} (${summary})`);
  for (const problem of rest) out(`  also ${where(problem)}: ${problem.reason}${contradicts(problem)}`);
  for (const problem of first ? audit.sealProblems : audit.sealProblems.slice(1)) out(`  also: ${problem.reason}`);
  return 2;
}

function parseArgs(args: string[], config: SealKeySettings): { id: string | null; publicKeys: KeyObject[]; sealsFile: string | null } {
  let id: string | null = null;
  const publicKeyFiles: string[] = [];
  let sealsFile: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--public-key' || arg === '--seal') {
      const value = args[++i];
      if (!value) throw new Error(`${arg} needs a file`);
      if (arg === '--public-key') publicKeyFiles.push(value);
      else sealsFile = value;
    } else if (arg.startsWith('--') || id !== null) {
      throw new Error(`unexpected argument ${arg}`);
    } else {
      id = arg;
    }
  }
  // The public keys given (several after a key rotation), else the one of the key this installation signs with.
  const own = publicKeyFiles.length === 0 ? sealKey(config).key?.publicKey : undefined;
  const publicKeys = own ? [own] : publicKeyFiles.map((file) => parsePublicKey(readFileSync(file, 'utf8'), file));
  return { id, publicKeys, sealsFile };
}

const where = (problem: AuditProblem): string =>
  problem.position === null
    ? `at stream ${problem.streamId}`
    : `at position ${problem.position}${problem.streamId ? ` (stream ${problem.streamId}, version ${problem.streamVersion})` : ''}`;

const contradicts = (problem: AuditProblem & { contradicts: SealFacts | null }): string => {
  const seal = problem.contradicts;
  if (seal) return `; contradicts seal #${seal.seal} (position ${seal.position}, sealed ${seal.sealedAt})`;
  return problem.position === null ? '' : '; not covered by a seal yet';
};

function chainSummary(audit: LogAudit): string {
  const chain = audit.chainedUpTo === null ? 'nothing chained yet' : `chained up to position ${audit.chainedUpTo} (#${audit.chained})`;
  const seal = audit.lastSeal
    ? `sealed up to position ${audit.lastSeal.position} by seal #${audit.lastSeal.seal} at ${audit.lastSeal.sealedAt}, key ${audit.lastSeal.keyId}`
    : 'not sealed yet';
  const signatures = audit.sealsChecked === 0 || audit.signaturesChecked ? '' : '; seal signatures NOT checked: no public key (--public-key)';
  return `${chain}; ${seal}${signatures}`;
}
