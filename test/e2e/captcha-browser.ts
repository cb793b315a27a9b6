import type { Page } from 'playwright-core';
import { CAPTCHA_FIELDS, QUESTION_MIN_MS } from '../../src/portal/captcha.js';
import { answerTo } from '../portal/captcha-support.js';

/** The server's clock in browser tests (`s.h.clock`): fixed, so the question's minimum time must be walked past. */
export interface MovableClock {
  advance(ms: number): void;
}

/**
 * Waits until the ALTCHA widget of the page has solved its challenge by itself and put the
 * payload in the form. The widget loads at the debtor's first touch, key or focus: a focus on
 * the form's button stands for it, in case the test has not touched the page yet. Returns how
 * long the wait took, in milliseconds.
 */
export async function solveCaptchaInBrowser(page: Page, options: { timeout?: number } = {}): Promise<number> {
  const started = Date.now();
  await page.locator('form:has(.captcha) [type=submit]').first().focus();
  await page.locator('altcha-widget .altcha[data-state="verified"]').waitFor({ state: 'attached', timeout: options.timeout ?? 30_000 });
  const payload = await page.locator(`altcha-widget input[name="${CAPTCHA_FIELDS.altcha}"]`).inputValue();
  if (!payload) throw new Error('The captcha widget reports verified but put no payload in the form');
  return Date.now() - started;
}

/**
 * Answers the question shown to browsers without JavaScript (or after a failed attempt), by
 * its label as a person reads it, and moves the server's clock past the minimum time.
 */
export async function answerCaptchaQuestion(page: Page, clock: MovableClock): Promise<void> {
  const question = (await page.locator(`label[for="f-${CAPTCHA_FIELDS.answer}"]`).textContent()) ?? '';
  await page.getByLabel(question, { exact: true }).fill(String(answerTo(question)));
  clock.advance(QUESTION_MIN_MS);
}

/**
 * Passes the identification form's captcha as a debtor would: with JavaScript the widget
 * solves it; without, the question is answered, which needs the server's clock (`s.h.clock`):
 * waiting in real time does not move a fixed clock.
 */
export async function passCaptchaInBrowser(page: Page, javaScript: boolean, clock?: MovableClock): Promise<void> {
  if (javaScript) {
    await solveCaptchaInBrowser(page);
    return;
  }
  if (!clock) throw new Error('passCaptchaInBrowser without JavaScript needs the server clock (s.h.clock) to pass the minimum answering time');
  await answerCaptchaQuestion(page, clock);
}
