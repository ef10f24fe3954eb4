import { GraphQLError, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Refuses introspection (`__schema`, `__type`; `__typename` stays) as a validation error, so it is refused the same
 * way over HTTP, SSE and WebSocket, before anything runs. graphql's NoSchemaIntrospectionCustomRule does the same
 * walk but reports every nested introspection field with a message that does not say where the schema is instead.
 * Clients need no introspection: schema.graphql in the repository is printed from the code.
 */
export function useDisableIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(noIntrospection);
    },
  };
}

const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    const name = node.name.value;
    if (name !== '__schema' && name !== '__type') return;
    context.reportError(
      new GraphQLError(
        `Introspection is disabled on this server ("${name}"); the schema is published as schema.graphql. Set GRAPHQL_INTROSPECTION=true to allow it.`,
        { nodes: node, extensions: { code: 'INTROSPECTION_DISABLED' } },
      ),
    );
  },
});
