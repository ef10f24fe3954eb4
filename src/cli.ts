/**
 * DVMM command line: `npm run cli -- <command>`. Uses DATABASE_URL, or the embedded Postgres without it, and
 * applies pending migrations on connect; the environment is read through src/config/, as `npm start` reads it. Add a command by adding an entry to COMMANDS.
 */
import { loadConfig } from './config/index.ts';
import { ConfigError } from './config-error.ts';
import { openDatabase, type Database } from './db/index.ts';
import { sealCheckCommand, sealKeyCommand, sealsCommand } from './audit/seal-commands.ts';
import { verifyCommand } from './audit/verify-command.ts';
import { seedCommand } from './demo/seed-command.ts';
import { secretsRotateCommand } from './secrets/rotate-command.ts';
import { schemaCheckCommand, schemaPrintCommand } from './graphql/schema-command.ts';
import { tokenCommand } from './http/token-command.ts';
import { PROJECTIONS_USAGE, projectionsCommand, projectionsUsageError } from './projections/cli.ts';

type Command = (db: Database, args: string[]) => Promise<number>;

/** `help` is the one-line summary in the usage; `usage`, when given, is what `<command> --help` prints. */
interface Entry {
  help: string;
  usage?: string;
  /** The command answers --help itself (with more than its summary). */
  ownHelp?: boolean;
}

interface DatabaseEntry extends Entry {
  run: Command;
  /** The message for a usage mistake in args, or null: checked before the database is opened. */
  usageError?: (args: string[]) => string | null;
}

const COMMANDS: Record<string, DatabaseEntry> = {
  migrate: { help: 'apply pending migrations', run: async () => 0 },
  projections: {
    help: 'projections status | projections rebuild <name>',
    usage: PROJECTIONS_USAGE,
    usageError: projectionsUsageError,
    run: (db, args) => projectionsCommand(db.sql, args),
  },
  verify: {
    help:
      'verify [streamId | GraphQL id] [--public-key <pem>]... [--seal <file>]: check the audit trail (stream chains, the ' +
      'global chain against its signed seals, read models); exit 2 naming the first broken position, 1 when not found',
    run: (db, args) => verifyCommand(db.sql, args),
  },
  seals: {
    help: 'seals [count]: print the newest seals as JSON lines, to keep outside the database (verify --seal <file>)',
    run: (db, args) => sealsCommand(db.sql, args),
  },
  seed: { help: 'create the demo tenant acme (idempotent) and print its dev tokens', run: (db) => seedCommand(db) },
  'secrets:rotate': {
    help: 're-encrypt every stored secret with the first key of DVMM_SECRETS_KEYS (safe while serving)',
    run: (db) => secretsRotateCommand(db.sql),
  },
};

/** Commands that need no database. */
const STANDALONE: Record<string, Entry & { run: (args: string[]) => Promise<number> }> = {
  token: { help: 'token --sub alice --tenant acme [--role admin] [--header]: print a dev token', ownHelp: true, run: tokenCommand },
  'schema:print': { help: 'write schema.graphql from the code', run: schemaPrintCommand },
  'schema:check': { help: 'fail when schema.graphql differs from the code', run: schemaCheckCommand },
  'seal-key': { help: 'print the public key seals are signed with (PEM)', run: sealKeyCommand },
  'seal-check': { help: 'seal-check <seal file> [--public-key <pem>]: check seal signatures offline', run: sealCheckCommand },
};

const ALL: Record<string, Entry> = { ...COMMANDS, ...STANDALONE };
const HELP_FLAGS = ['--help', '-h'];

function usage(): string {
  return [
    'usage: npm run cli -- <command> [args]      (npm run cli -- <command> --help: that command alone)',
    ...Object.entries(ALL).map(([name, c]) => `  ${name.padEnd(12)} ${c.help}`),
  ].join('\n');
}

function commandUsage(name: string, entry: Entry): string {
  if (entry.usage) return entry.usage;
  // A summary may start with its synopsis: "verify [streamId]: recompute ...".
  const colon = entry.help.startsWith(name) ? entry.help.indexOf(': ') : -1;
  const [synopsis, description] = colon > 0 ? [entry.help.slice(0, colon), entry.help.slice(colon + 2)] : [name, entry.help];
  return `usage: npm run cli -- ${synopsis}\n  ${description}`;
}

/** When argv asks for help: prints it to stdout (no database needed) and resolves to the exit code; else null. */
async function help(argv: string[]): Promise<number | null> {
  const [name, ...args] = argv;
  if (name === undefined) return null;
  if (name === 'help' || HELP_FLAGS.includes(name)) {
    const topic = name === 'help' ? args[0] : undefined;
    if (topic === undefined) console.log(usage());
    else if (ALL[topic]) console.log(commandUsage(topic, ALL[topic]));
    else return null;
    return 0;
  }
  const entry = ALL[name];
  if (!entry || !args.some((arg) => HELP_FLAGS.includes(arg))) return null;
  if (entry.ownHelp) return STANDALONE[name]?.run(['--help']) ?? null;
  console.log(commandUsage(name, entry));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const helped = await help(argv);
  if (helped !== null) return helped;
  const [name, ...args] = argv;
  const standalone = name ? STANDALONE[name] : undefined;
  if (standalone) return standalone.run(args);
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    // A mistake (no command, or an unknown one): usage on stderr, exit 1. Asking for help is not (see help).
    console.error(`${name === undefined ? '' : `unknown command ${name === 'help' ? argv[1] : name}\n`}${usage()}`);
    return 1;
  }
  // A usage mistake needs no database: told at once, even when none is reachable.
  const usageError = command.usageError?.(args) ?? null;
  if (usageError !== null) {
    console.error(usageError);
    return 1;
  }
  // Connection chatter goes to stderr so command output (stdout) stays clean for scripts.
  // Beside a running `npm start` on the same data folder, its embedded server is used (and left running).
  const { databaseUrl, dataDir } = loadConfig();
  const db = await openDatabase({ databaseUrl, dataDir, log: (line) => console.error(line), whenInUse: 'connect' });
  try {
    return await command.run(db, args);
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A bad variable (e.g. JWT_SECRET too short) is the user's to fix: the message alone, as `npm start` prints it.
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
