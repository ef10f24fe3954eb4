import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FALSE_WORDS, TRUE_WORDS } from './types.ts';
import { VARIABLES } from './variables.ts';

/** README.md at the repository root, wherever the process was started from. */
export const README_FILE = fileURLToPath(new URL('../../README.md', import.meta.url));

// The table sits between these lines in the README; everything else there is written by hand.
const START = '<!-- config-table: printed from src/config/variables.ts by `npm run config:table`; do not edit by hand -->';
const END = '<!-- /config-table -->';

const cell = (value: string): string => value.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const shown = (value: unknown): string => `\`${String(value)}\``;

/** The configuration table as markdown, one row per variable of the schema. */
export function configTable(): string {
  const rows = Object.entries(VARIABLES).map(([name, variable]) => {
    const fallback = 'value' in variable ? shown(variable.value) : (variable.shownDefault ?? 'unset');
    return `| \`${name}\` | ${cell(variable.type.text)} | ${cell(fallback)} | ${variable.secret ? 'yes' : ''} | ${cell(variable.description)} |`;
  });
  const words = (list: readonly string[]) => list.map((word) => `\`${word}\``).join(', ');
  return [
    '| Variable | Type | Default | Secret | Meaning |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    `\`true\`/\`false\` variables accept ${words(TRUE_WORDS)} and ${words(FALSE_WORDS)}, in any case. A blank value counts as unset. ` +
      'A secret is never repeated in a message.',
  ].join('\n');
}

/** `readme` with the text between the markers replaced by the table; throws when the markers are missing. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END, start);
  if (start < 0 || end < 0) throw new Error(`README.md has no configuration table markers (${START} ... ${END})`);
  return `${readme.slice(0, start + START.length)}\n${configTable()}\n${readme.slice(end)}`;
}

/** Null when README's table is the one the schema prints; otherwise what to do. */
export function readmeTableProblem(path = README_FILE): string | null {
  if (!existsSync(path)) return `${path} is missing`;
  const readme = readFileSync(path, 'utf8');
  let expected: string;
  try {
    expected = withConfigTable(readme);
  } catch (error) {
    return (error as Error).message;
  }
  if (expected === readme) return null;
  const have = readme.split('\n');
  const want = expected.split('\n');
  const line = want.findIndex((text, i) => text !== have[i]);
  return (
    `${path}'s configuration table is stale (first difference at line ${line + 1}: ` +
    `${JSON.stringify(have[line] ?? '<end of file>')} should be ${JSON.stringify(want[line] ?? '<end of file>')}); ` +
    'run `npm run config:table` and commit it'
  );
}

/** `npm run config:table`: writes the table into the README. */
export function writeReadmeTable(path = README_FILE): void {
  writeFileSync(path, withConfigTable(readFileSync(path, 'utf8')));
}
