import * as v from 'valibot';
import type { AppContext } from './context.js';
import { isMessageKey } from './i18n/index.js';

export type FormValues = Record<string, string | string[]>;

/**
 * Control characters no one types (everything below U+0020 but tab, line feed and carriage
 * return): PostgreSQL refuses NUL in text, and spreadsheets cannot hold the others.
 */
const UNTYPABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
export const typedText = (value: string) => (UNTYPABLE.test(value) ? value.replace(new RegExp(UNTYPABLE, 'g'), '') : value);

/** The submitted form as strings (repeated fields as arrays), without characters no one types; files are left to upload handlers. */
export async function formValues(c: AppContext): Promise<FormValues> {
  const type = c.req.header('Content-Type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return {};
  const body = await c.req.parseBody({ all: true });
  const out: FormValues = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === '_csrf') continue;
    if (Array.isArray(value)) {
      const strings = value.filter((x): x is string => typeof x === 'string').map(typedText);
      out[key] = strings.length === 1 ? strings[0]! : strings;
    } else if (typeof value === 'string') {
      out[key] = typedText(value);
    }
  }
  return out;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

/**
 * Validates with a valibot schema whose messages are catalogue keys. Errors come back one
 * per field (the first), keyed by the field's path, ready for the form to show.
 */
export function parseWith<S extends v.GenericSchema>(schema: S, input: unknown): Parsed<v.InferOutput<S>> {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (result.success) return { ok: true, value: result.output };
  const errors: Record<string, string> = {};
  for (const issue of result.issues) {
    const path = v.getDotPath(issue) ?? '_form';
    // Our schemas name a catalogue message; valibot's own (English) ones come from input no
    // form of ours sends, such as a field repeated by hand.
    if (!(path in errors)) errors[path] = isMessageKey(issue.message.split('?', 1)[0]!) ? issue.message : 'common.invalid';
  }
  return { ok: false, errors };
}

/** The entries of an object schema that `only` names (all of them without it), and those in `always`. */
export function someEntries<T extends v.ObjectEntries>(entries: T, only: readonly string[] | undefined, always: readonly string[] = []): T {
  if (!only) return entries;
  // The output then lacks the fields left out, which its type cannot say: callers document it.
  return Object.fromEntries(Object.entries(entries).filter(([key]) => only.includes(key) || always.includes(key))) as T;
}

/** The message for text over `max` characters, which says the limit. */
export const tooLong = (max: number) => `common.tooLong?max=${max}`;

/**
 * A browser sends each line break of a textarea as CRLF: counted and stored as one character,
 * as the box counted it (its maxlength), so a text that fits the box is never refused as too long.
 */
export const oneCharLineBreaks = v.transform((s: string) => s.replace(/\r\n?/g, '\n'));

/** Empty strings from forms mean "not given". */
export const optionalText = (max = 500) =>
  v.pipe(
    v.optional(v.string(), ''),
    oneCharLineBreaks,
    v.trim(),
    v.maxLength(max, tooLong(max)),
    v.transform((s) => (s === '' ? null : s)),
  );

export const requiredText = (max = 200, message = 'common.required') =>
  v.pipe(v.optional(v.string(), ''), oneCharLineBreaks, v.trim(), v.minLength(1, message), v.maxLength(max, tooLong(max)));

export const checkbox = v.pipe(
  v.optional(v.union([v.string(), v.array(v.string())]), ''),
  v.transform((s) => s !== '' && s !== undefined),
);

/** A list of checked values (a single checked box arrives as a string). */
export const checkedValues = v.pipe(
  v.optional(v.union([v.string(), v.array(v.string())]), []),
  v.transform((s) => (Array.isArray(s) ? s : s === '' ? [] : [s])),
);

/**
 * A filter's range as meant when typed the wrong way round ("desde" 10, "hasta" 1): the two
 * ends swapped, so the search finds what was asked for and the form shows the range it used,
 * instead of an empty list that says nothing. Dates as yyyy-mm-dd compare as text.
 */
export function ordered<T extends string | number>(low: T | null | undefined, high: T | null | undefined): [T | undefined, T | undefined] {
  const a = low ?? undefined;
  const b = high ?? undefined;
  return a !== undefined && b !== undefined && a > b ? [b, a] : [a, b];
}
