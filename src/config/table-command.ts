/**
 * `npm run config:table`: prints the configuration table from the schema into README.md. With `--check` it writes
 * nothing and exits 1 when the README's table differs (as `npm run schema:check` does for schema.graphql).
 */
import { README_FILE, readmeTableProblem, writeReadmeTable } from './readme-table.ts';

if (process.argv.includes('--check')) {
  const problem = readmeTableProblem();
  if (problem) {
    console.error(problem);
    process.exitCode = 1;
  } else {
    console.log(`${README_FILE}: the configuration table is up to date`);
  }
} else {
  writeReadmeTable();
  console.log(`wrote the configuration table into ${README_FILE}`);
}
