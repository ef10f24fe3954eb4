import type { InputFieldBuilder } from '@pothos/core';
import type { builder } from '../builder.ts';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** The optional key every mutation input carries: the same key from the same user returns the first result. */
export const idempotencyKeyField = (t: InputFieldBuilder<Types, 'InputObject'>) =>
  t.string({
    required: false,
    description: 'Retrying with the same key returns the first result and writes nothing new. One line, at most 200 characters.',
  });
