/**
 * DVMM command line: `npm run cli -- <command>`. Uses DATABASE_URL, or the embedded Postgres without it, and
 * applies pending migrations on connect. Add a command by adding an entry to COMMANDS.
 */
import { openDatabase, type Database } from './db/index.ts';
import { verifyCommand } from './event-store/verify-command.ts';
import { seedCommand } from './demo/seed-command.ts';
import { schemaCheckCommand, schemaPrintCommand } from './graphql/schema-command.ts';
import { tokenCommand } from './http/token-command.ts';
import { projectionsCommand } from './projections/cli.ts';

type Command = (db: Database, args: string[]) => Promise<number>;

const COMMANDS: Record<string, { help: string; run: Command }> = {
  migrate: { help: 'apply pending migrations', run: async () => 0 },
  projections: {
    help: 'projections status | projections rebuild <name>',
    run: (db, args) => projectionsCommand(db.sql, args),
  },
  verify: {
    help: 'verify [streamId]: recompute the audit trail hash chain; exit 2 and name the first broken event',
    run: (db, args) => verifyCommand(db.sql, args),
  },
  seed: { help: 'create the demo tenant acme (idempotent) and print its dev tokens', run: (db) => seedCommand(db) },
};

/** Commands that need no database. */
const STANDALONE: Record<string, { help: string; run: (args: string[]) => Promise<number> }> = {
  token: { help: 'token --sub alice --tenant acme [--role admin] [--header]: print a dev token', run: tokenCommand },
  'schema:print': { help: 'write schema.graphql from the code', run: schemaPrintCommand },
  'schema:check': { help: 'fail when schema.graphql differs from the code', run: schemaCheckCommand },
};

function usage(): string {
  const all = { ...COMMANDS, ...STANDALONE };
  return ['usage: cli <command> [args]', ...Object.entries(all).map(([name, c]) => `  ${name.padEnd(12)} ${c.help}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const standalone = name ? STANDALONE[name] : undefined;
  if (standalone) return standalone.run(args);
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(usage());
    return 1;
  }
  // Connection chatter goes to stderr so command output (stdout) stays clean for scripts.
  const db = await openDatabase({ log: (line) => console.error(line) });
  try {
    return await command.run(db, args);
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
