import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSortedSchema } from './schema.ts';

/** schema.graphql at the repository root, wherever the process was started from. */
export const SCHEMA_FILE = fileURLToPath(new URL('../../schema.graphql', import.meta.url));

/** `npm run schema:print`: writes the schema as the code defines it. */
export const writeSchemaFile = (path = SCHEMA_FILE): void => {
  writeFileSync(path, printSortedSchema());
};

/** Null when the checked-in file matches the code; otherwise what is wrong, for `npm run schema:check`. */
export const schemaFileProblem = (path = SCHEMA_FILE): string | null => {
  if (!existsSync(path)) return `${path} is missing; run \`npm run schema:print\``;
  const onDisk = readFileSync(path, 'utf8');
  const printed = printSortedSchema();
  if (onDisk === printed) return null;
  const diskLines = onDisk.split('\n');
  const printedLines = printed.split('\n');
  const line = printedLines.findIndex((text, i) => text !== diskLines[i]);
  return (
    `${path} is stale (first difference at line ${line + 1}: ` +
    `${JSON.stringify(diskLines[line] ?? '<end of file>')} should be ${JSON.stringify(printedLines[line] ?? '<end of file>')}); ` +
    'run `npm run schema:print` and commit it'
  );
};
