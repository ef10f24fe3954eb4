import { expect } from 'vitest';
import { type Decider, type DomainError, fold } from '../../src/domain/index.ts';

/**
 * Given/when/then for deciders (after Emmett's DeciderSpecification): a business rule reads as
 * `given([created]).when(approve(admin)).then([approved])` or `.thenRefused({ code: 'FORBIDDEN' })`.
 */
export const deciderSpecification = <Command, Event, State>(decider: Decider<Command, Event, State>) => {
  const given = (history: readonly Event[]) => ({
    when: (command: Command) => {
      const decide = () => decider.decide(command, fold(decider, history));
      return {
        then: (expected: readonly Event[]) => expect(decide()).toEqual({ ok: true, value: expected }),
        thenNothingHappens: () => expect(decide()).toEqual({ ok: true, value: [] }),
        thenRefused: (expected: Partial<DomainError> & Pick<DomainError, 'code'>) => {
          const result = decide();
          expect(result.ok, `expected a refusal, got ${JSON.stringify(result)}`).toBe(false);
          if (!result.ok) expect(result.error).toMatchObject(expected);
          return result;
        },
      };
    },
    thenState: (expected: State) => expect(fold(decider, history)).toEqual(expected),
  });
  return given;
};
