import { en } from './en.js';
import { es, type MessageKey } from './es.js';

export type { MessageKey };
export type Language = 'es' | 'en';
export const languages: readonly Language[] = ['es', 'en'];
export const catalogues: Record<Language, Record<MessageKey, string>> = { es, en };

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

export function translator(language: Language): Translate {
  const catalogue = catalogues[language];
  return (key, params) => {
    // A message with a `.one` variant says it when {count} is 1 ("1 resultado", not "1 resultados").
    const one = params && String(params.count) === '1' ? (`${key}.one` as MessageKey) : undefined;
    const message = (one && (catalogue[one] ?? es[one])) || (catalogue[key] ?? es[key] ?? key);
    if (!params) return message;
    return message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}

/** The language of a tenant locale such as es-PE; anything we do not speak yet falls back to Spanish. */
export function languageOf(locale: string | null | undefined): Language {
  const base = (locale ?? '').slice(0, 2).toLowerCase();
  return (languages as string[]).includes(base) ? (base as Language) : 'es';
}

export function isMessageKey(key: string): key is MessageKey {
  return key in es;
}

/**
 * Validation messages are catalogue keys, optionally with parameters in query form:
 * `password.tooShort?min=10`. Anything else is shown as it is. A `reason` parameter may be a
 * message of its own, worded in the same language (a stored failure names why in words
 * of whoever reads it, not of whoever caused it).
 */
export function translateMessage(t: Translate, message: string): string {
  const [key, query] = message.split('?', 2) as [string, string | undefined];
  if (!isMessageKey(key)) return message;
  const params: Params | undefined = query ? Object.fromEntries(new URLSearchParams(query)) : undefined;
  if (typeof params?.reason === 'string') params.reason = translateMessage(t, params.reason);
  return t(key, params);
}
