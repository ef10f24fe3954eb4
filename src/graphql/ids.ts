import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';

export type NodeTypeName = 'VmRequest' | 'Project';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const globalId = (typename: NodeTypeName, id: string): string => encodeGlobalID(typename, id);

/** Both parts of a global id, or null for anything that is not one of ours. */
export const parseGlobalId = (value: string): { typename: NodeTypeName; id: string } | null => {
  if (value.length > 200) return null;
  try {
    const { typename, id } = decodeGlobalID(value);
    if ((typename !== 'VmRequest' && typename !== 'Project') || !UUID.test(id)) return null;
    return { typename, id: id.toLowerCase() };
  } catch {
    return null;
  }
};

/**
 * The UUID behind an id argument of the given type: a global id as the API hands them out, or (for scripts and
 * the CLI, which see raw ids in logs) the bare UUID. Null when it is neither, which callers treat as "not found".
 */
export const idOf = (value: string, typename: NodeTypeName): string | null => {
  if (UUID.test(value)) return value.toLowerCase();
  const parsed = parseGlobalId(value);
  return parsed && parsed.typename === typename ? parsed.id : null;
};
