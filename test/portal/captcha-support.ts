import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { CAPTCHA_FIELDS, QUESTION_MIN_MS, newAltchaChallenge } from '../../src/portal/captcha.js';
import type { Harness } from '../support/app.js';

const entities: Record<string, string> = { '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };
const unescape = (s: string) => s.replace(/&(?:quot|#39|lt|gt|amp);/g, (e) => entities[e]!);

/** The ALTCHA challenge a page carries (the widget's `challenge` attribute), or null. */
export function challengeIn(html: string): { parameters: { data: { t: number; e: number } } & Record<string, unknown>; signature: string } | null {
  const match = /<altcha-widget[^>]*\schallenge="([^"]*)"/.exec(html);
  return match ? JSON.parse(unescape(match[1]!)) : null;
}

/** The token and the question of the page's question for browsers without JavaScript. */
export function questionIn(html: string): { token: string; question: string } | null {
  const token = new RegExp(`name="${CAPTCHA_FIELDS.token}" value="([^"]+)"`).exec(html)?.[1];
  const question = new RegExp(`<label for="f-${CAPTCHA_FIELDS.answer}">([^<]+)</label>`).exec(html)?.[1];
  return token && question ? { token: unescape(token), question: unescape(question) } : null;
}

const words: Record<string, number> = {
  ...Object.fromEntries(['uno', 'dos', 'tres', 'cuatro', 'cinco', 'seis', 'siete', 'ocho', 'nueve'].map((w, i) => [w, i + 1])),
  ...Object.fromEntries(['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'].map((w, i) => [w, i + 1])),
};

/** What a person answers to "¿Cuánto es siete más cuatro?" (or the English question). */
export function answerTo(question: string): number {
  const match = /(\p{L}+) (más|menos|plus|minus) (\p{L}+)\?/u.exec(question);
  if (!match || !(match[1]! in words) || !(match[3]! in words)) throw new Error(`Not a captcha question: ${question}`);
  const [a, b] = [words[match[1]!]!, words[match[3]!]!];
  return match[2] === 'más' || match[2] === 'plus' ? a + b : a - b;
}

/** An ALTCHA payload as the widget posts it, for a challenge solved here with altcha-lib. */
export async function solvedPayload(challenge: { parameters: object; signature?: string }): Promise<string> {
  const solution = await solveChallenge({ challenge: challenge as never, deriveKey });
  if (!solution) throw new Error('The challenge was not solved');
  return Buffer.from(JSON.stringify({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution })).toString('base64');
}

/**
 * The captcha fields a browser posts with the identification form of this page.
 * ALTCHA: by default a challenge made for the page's tenant with the app's secret and a counter
 * found at once (the page's own takes the real work, about a second here; `{ page: true }`
 * solves that one). reCAPTCHA pages: the question, answered after the minimum time.
 */
export async function captchaFields(h: Harness, html: string, options: { page?: boolean } = {}): Promise<Record<string, string>> {
  const challenge = challengeIn(html);
  if (challenge) {
    const solvable = options.page ? challenge : await newAltchaChallenge({ secret: h.deps.secret, tenantId: challenge.parameters.data.t, now: h.clock.now(), counter: 0 });
    return { [CAPTCHA_FIELDS.altcha]: await solvedPayload(solvable) };
  }
  return answerFields(h, html);
}

/** The question's fields, answered; the test's clock moves past the minimum time a person needs. */
export function answerFields(h: Harness, html: string, answer?: string): Record<string, string> {
  const question = questionIn(html);
  if (!question) throw new Error('The page has no captcha question');
  h.clock.advance(QUESTION_MIN_MS);
  return { [CAPTCHA_FIELDS.token]: question.token, [CAPTCHA_FIELDS.answer]: answer ?? String(answerTo(question.question)) };
}
