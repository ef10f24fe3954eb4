import { GraphQLError, Kind, type ValueNode } from 'graphql';
import type { JsonValue } from '../../event-store/index.ts';
import { builder } from '../builder.ts';

const parseDate = (value: unknown): Date => {
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO 8601 string');
  return date;
};

export const DateTimeScalar = builder.scalarType('DateTime', {
  description: 'An instant, as an ISO 8601 string in UTC.',
  serialize: (value) => (value instanceof Date ? value : new Date(value)).toISOString(),
  parseValue: parseDate,
  parseLiteral: (node) => parseDate(node.kind === Kind.STRING ? node.value : undefined),
});

const literalToJson = (node: ValueNode): JsonValue => {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(literalToJson);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, literalToJson(field.value)]));
    default:
      throw new GraphQLError('JSON literals cannot contain variables or enums');
  }
};

export const JsonScalar = builder.scalarType('JSON', {
  description: 'Any JSON value (event payloads and metadata).',
  serialize: (value) => value,
  parseValue: (value) => value as JsonValue,
  parseLiteral: literalToJson,
});
