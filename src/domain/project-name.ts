import { type DomainResult, validationError } from './errors.ts';
import { fail, ok } from './result.ts';
import { charCount } from './text.ts';

export type ProjectName = string & { readonly __brand: 'ProjectName' };

export const PROJECT_NAME_MIN = 3;
export const PROJECT_NAME_MAX = 100;
export const PROJECT_DESCRIPTION_MAX = 2000;

const PROJECT_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9 _-]*$/;

export const parseProjectName = (input: string, field = 'name'): DomainResult<ProjectName> => {
  // Trimmed so that "Web " and "Web" cannot both exist and look the same in a list.
  const name = input.trim();
  if (name.length < PROJECT_NAME_MIN) {
    return fail(validationError(field, `Project name must be at least ${PROJECT_NAME_MIN} characters`));
  }
  if (name.length > PROJECT_NAME_MAX) {
    return fail(validationError(field, `Project name must be at most ${PROJECT_NAME_MAX} characters`));
  }
  if (!PROJECT_NAME_PATTERN.test(name)) {
    return fail(
      validationError(
        field,
        'Project name must start with a letter or digit and contain only letters, digits, spaces, _ and -',
      ),
    );
  }
  return ok(name as ProjectName);
};

/** The key under which a name is unique in its tenant: case is ignored. */
export const projectNameKey = (name: ProjectName): string => name.toLowerCase();

/** Optional free text; blank means none. */
export const parseProjectDescription = (
  input: string | null | undefined,
  field = 'description',
): DomainResult<string | undefined> => {
  const text = (input ?? '').trim();
  if (text === '') return ok(undefined);
  if (charCount(text) > PROJECT_DESCRIPTION_MAX) {
    return fail(validationError(field, `Description must be at most ${PROJECT_DESCRIPTION_MAX} characters`));
  }
  return ok(text);
};
