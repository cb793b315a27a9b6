/**
 * One part of the catalogue: the Spanish messages and the English ones, which must have
 * exactly the same keys (the compiler checks it here, a test checks the whole catalogue).
 */
export function messages<const Es extends Record<string, string>>(es: Es, en: { [K in keyof Es]: string }) {
  return { es, en };
}
