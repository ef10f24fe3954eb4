import { type DomainResult, validationError } from './errors.ts';
import { fail, ok } from './result.ts';
import { parseOptionalText, parseText } from './text.ts';

export type ProjectName = string & { readonly __brand: 'ProjectName' };

export const PROJECT_NAME_MIN = 3;
export const PROJECT_NAME_MAX = 100;
export const PROJECT_DESCRIPTION_MAX = 2000;

const PROJECT_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9 _-]*$/;

export const parseProjectName = (input: string, field = 'name'): DomainResult<ProjectName> => {
  // Trimmed so that "Web " and "Web" cannot both exist and look the same in a list.
  const text = parseText(input, field, { label: 'Project name', min: PROJECT_NAME_MIN, max: PROJECT_NAME_MAX });
  if (!text.ok) return text;
  const name = text.value;
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
): DomainResult<string | undefined> =>
  parseOptionalText(input, field, { label: 'Description', max: PROJECT_DESCRIPTION_MAX, multiline: true });
