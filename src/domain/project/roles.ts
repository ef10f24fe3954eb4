import { type DomainResult, validationError } from '../errors.ts';
import { fail, ok } from '../result.ts';

export const PROJECT_ROLES = ['MEMBER', 'PROJECT_ADMIN'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

export const parseProjectRole = (input: string, field = 'role'): DomainResult<ProjectRole> =>
  (PROJECT_ROLES as readonly string[]).includes(input)
    ? ok(input as ProjectRole)
    : fail(validationError(field, `Role must be one of ${PROJECT_ROLES.join(', ')}`));
