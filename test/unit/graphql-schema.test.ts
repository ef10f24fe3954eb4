import { isUnionType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/graphql/index.ts';
import { schemaFileProblem } from '../../src/graphql/schema-file.ts';

describe('schema.graphql', () => {
  it('is the schema the code defines (run `npm run schema:print` when this fails)', () => {
    expect(schemaFileProblem()).toBeNull();
  });

  it('has every mutation result as a union of its payload and all five error types', () => {
    const schema = buildSchema();
    const mutations = Object.values(schema.getMutationType()!.getFields());
    expect(mutations.length).toBeGreaterThanOrEqual(7);
    for (const field of mutations) {
      const name = field.name[0]!.toUpperCase() + field.name.slice(1);
      const union = schema.getType(`${name}Result`);
      const members = isUnionType(union) ? union.getTypes().map((type) => type.name).sort() : [];
      expect(members).toEqual(
        [`${name}Payload`, 'ConcurrencyError', 'ForbiddenError', 'InvalidStateError', 'NotFoundError', 'ValidationError'].sort(),
      );
      expect(field.args.map((arg) => arg.type.toString())).toEqual([`${name}Input!`]);
    }
  });
});
