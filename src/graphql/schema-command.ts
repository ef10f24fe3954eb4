import { SCHEMA_FILE, schemaFileProblem, writeSchemaFile } from './schema-file.ts';

/** `npm run schema:print`: writes schema.graphql from the code. */
export const schemaPrintCommand = async (): Promise<number> => {
  writeSchemaFile();
  console.log(`wrote ${SCHEMA_FILE}`);
  return 0;
};

/** `npm run schema:check`: exits 1 with the first difference when schema.graphql is stale. */
export const schemaCheckCommand = async (): Promise<number> => {
  const problem = schemaFileProblem();
  if (problem) {
    console.error(problem);
    return 1;
  }
  console.log(`${SCHEMA_FILE} is up to date`);
  return 0;
};
