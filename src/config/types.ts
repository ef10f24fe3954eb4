import { z } from 'zod';

/**
 * The value types environment variables come in: each is a zod schema from the trimmed text to the value, with the
 * words the README table shows for it. A failed check's message is what follows the variable's name in the
 * start-up error ("PORT must be a whole number from 0 to 65535, got \"eighty\"").
 */
export interface ValueType<T> {
  schema: z.ZodType<T>;
  /** For the README table. */
  text: string;
}

/** The spellings a true/false variable accepts, in any case. */
export const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
export const FALSE_WORDS = ['0', 'false', 'no', 'off'];

export const flag: ValueType<boolean> = {
  schema: z.stringbool({ truthy: TRUE_WORDS, falsy: FALSE_WORDS, case: 'insensitive', error: 'must be true or false' }),
  text: '`true`/`false`',
};

/** Whole numbers from `min` to `max` (default: as large as a double holds exactly), named `noun` in messages. */
const wholeNumbers =
  (noun: string, shown: string) =>
  (min: number, max?: number): ValueType<number> => {
    const error = `must be ${noun} ${max === undefined ? `>= ${min}` : `from ${min} to ${max}`}`;
    const base = z.coerce.number({ error }).int({ error }).min(min, { error });
    return {
      schema: max === undefined ? base : base.max(max, { error }),
      text: max === undefined ? `${shown} >= ${min}` : `${shown}, ${min} to ${max}`,
    };
  };

export const wholeNumber = wholeNumbers('a whole number', 'whole number');

/** The unit is in the variable's name (`..._MS`). */
export const milliseconds = wholeNumbers('a whole number of milliseconds', 'milliseconds');

export const text: ValueType<string> = { schema: z.string(), text: 'text' };

export const path: ValueType<string> = { schema: z.string(), text: 'path' };

/** An absolute URL with one of `protocols` (without the colon). */
export function url(protocols: readonly string[]): ValueType<string> {
  const spelled = protocols.map((protocol) => `${protocol}:`).join(' or ');
  return {
    schema: z
      .string()
      .refine((value) => URL.canParse(value), { error: 'is not a URL', abort: true })
      .refine((value) => protocols.includes(new URL(value).protocol.slice(0, -1)), { error: `must be a ${spelled} URL` }),
    text: `${spelled} URL`,
  };
}

/** A comma-separated list of absolute URLs with one of `protocols`; each entry is checked as `url` checks one. */
export function urls(protocols: readonly string[]): ValueType<readonly string[]> {
  const one = url(protocols);
  return {
    schema: z.string().transform((raw, context) => {
      const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
      for (const entry of entries) {
        const checked = one.schema.safeParse(entry);
        if (!checked.success) context.issues.push({ code: 'custom', message: checked.error.issues[0]!.message, input: entry });
      }
      return entries;
    }),
    text: `${one.text}s, comma-separated`,
  };
}

/** Text at least `bytes` bytes long in UTF-8 (a secret: the message never repeats it). */
export function atLeastBytes(bytes: number): ValueType<string> {
  return {
    schema: z.string().refine((value) => Buffer.byteLength(value, 'utf8') >= bytes, { error: `must be at least ${bytes} bytes long` }),
    text: `text, at least ${bytes} bytes`,
  };
}

/**
 * The origin of `value` as browsers send it in the Origin header (`https://host:port`, the default port left out),
 * or null when it is none.
 */
export function originOf(value: string): string | null {
  if (!URL.canParse(value)) return null;
  const origin = new URL(value).origin;
  return origin === 'null' ? null : origin;
}

/** A comma-separated list of web origins, or `*`; an entry that is not exactly an origin is refused by name. */
export const origins: ValueType<readonly string[]> = {
  schema: z.string().transform((raw, context) => {
    const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
    for (const entry of entries) {
      if (entry !== '*' && originOf(entry) !== entry) {
        context.issues.push({
          code: 'custom',
          message: 'must list origins such as https://portal.example.com (scheme, host and port only, no trailing slash), or *',
          input: entry,
        });
      }
    }
    return entries;
  }),
  text: 'origins, comma-separated, or `*`',
};
