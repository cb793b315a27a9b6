import { describe, expect, it } from 'vitest';
import { catalogues, languages, translator } from '../../src/platform/i18n/index.js';

const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogue', () => {
  it('says one thing in the singular when a message has a `.one` variant and its count is 1', () => {
    const es = translator('es');
    const en = translator('en');
    expect(es('common.results', { count: '1' })).toBe('1 resultado');
    expect(es('common.results', { count: '2' })).toBe('2 resultados');
    expect(es('common.results', { count: '10' })).toBe('10 resultados');
    expect(en('processLog.countRows', { count: 1 })).toBe('1 row');
    expect(es('clients.count', { count: '1' })).toBe('1 cliente');
    // A message without a variant is the same for every count.
    expect(es('clients.countCapped', { count: '10 000' })).toBe('Más de 10 000 clientes');
  });

  it('gives every `.one` variant a message it varies', () => {
    for (const key of Object.keys(catalogues.es).filter((k) => k.endsWith('.one'))) {
      expect(Object.keys(catalogues.es), key).toContain(key.slice(0, -4));
      expect(catalogues.es[key.slice(0, -4) as keyof typeof catalogues.es], key).toContain('{count}');
    }
  });

  it('has every Spanish key in every language, and nothing more', () => {
    const spanish = Object.keys(catalogues.es).sort();
    for (const language of languages) {
      expect(Object.keys(catalogues[language]).sort(), language).toEqual(spanish);
    }
  });

  it('uses the same placeholders in every language, and no empty messages', () => {
    for (const language of languages) {
      for (const [key, message] of Object.entries(catalogues[language])) {
        expect(message.trim(), `${language}:${key}`).not.toBe('');
        expect(placeholders(message), `${language}:${key}`).toEqual(placeholders(catalogues.es[key as keyof typeof catalogues.es]));
      }
    }
  });
});
