import type { DomainResult } from './errors.ts';
import { charCount, parseText, textProblem } from './text.ts';

/**
 * Who a user and a tenant are: the `sub` and `tenant_id` of a token, and a project member's user id. They go into
 * events, metadata, logs and SQL parameters, so they follow the text rule of every stored text, one line each.
 * 255 is OpenID Connect's bound on `sub`; 200 is the event store's bound on a tenant id.
 */
export const USER_ID_MAX = 255;
export const TENANT_ID_MAX = 200;
/** A token's `email` and `name`, copied into a request's requester. */
export const PROFILE_TEXT_MAX = 1024;

export const parseUserId = (input: string, field = 'userId'): DomainResult<string> =>
  parseText(input, field, { label: 'User id', min: 1, max: USER_ID_MAX });

/**
 * Whether a token's claim is fit to stand for an id or a profile text as given (the issuer's id is the id, so it
 * is not trimmed): the rule of `parseText` for one line, for the authenticator, which refuses a token that fails.
 */
export const isIdentityText = (value: string, max: number): boolean =>
  value.trim() !== '' && charCount(value) <= max && textProblem(value, false) === null;
