import type { CodegenConfig } from '@graphql-codegen/cli';

// The same typing for both outputs: type-only imports, enums as string unions, scalars as they travel in JSON.
const typedDocuments = {
  preset: 'client',
  presetConfig: { fragmentMasking: false },
  config: {
    useTypeImports: true,
    enumsAsTypes: true,
    scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
    strictScalars: true,
    importExtension: '.ts',
  },
} as const;

/**
 * Typed documents from the checked-in schema.graphql, one source of types for the end-to-end tests (operations in
 * test/e2e/documents) and the portal (graphql() calls in web/src). `npm run codegen`; the output is checked in.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    'test/e2e/generated/': { documents: ['test/e2e/documents/*.graphql'], ...typedDocuments },
    // Which object types each union and interface stands for, so the portal's cache matches fragments on them exactly
    // (without it graphcache guesses whether `... on Error` applies, and a wrong guess drops the fields).
    'web/src/gql/possible-types.ts': {
      plugins: ['fragment-matcher'],
      config: { useExplicitTyping: true, apolloClientVersion: 3 },
    },
    'web/src/gql/': { documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'], ...typedDocuments },
  },
};

export default config;
