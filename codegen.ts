import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents from the checked-in schema.graphql, one source of types for the end-to-end tests (operations in
 * test/e2e/documents) and the portal (graphql() calls in web/src). `npm run codegen`; the output is checked in.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    'test/e2e/generated/': {
      documents: ['test/e2e/documents/*.graphql'],
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
    // Which object types each union and interface stands for, so the cache matches fragments on them exactly.
    'web/src/gql/possible-types.ts': {
      plugins: ['./codegen-possible-types.cjs'],
    },
    'web/src/gql/': {
      documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'],
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
