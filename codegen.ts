import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the end-to-end tests, from the checked-in schema.graphql and the operations in
 * test/e2e/documents. `npm run codegen`; the output is checked in.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/e2e/documents/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'test/e2e/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
        strictScalars: true,
        importExtension: '.ts',
      },
    },
  },
};

export default config;
