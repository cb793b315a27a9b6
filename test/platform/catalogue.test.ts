import { describe, expect, it } from 'vitest';
import { catalogues, languages } from '../../src/platform/i18n/index.js';

const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogue', () => {
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
