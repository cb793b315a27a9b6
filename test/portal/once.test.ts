import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOnce } from '../../src/portal/once.js';
import type { AppContext } from '../../src/platform/context.js';
import { startTestApp, type Harness } from '../support/app.js';
import { newTenant } from '../support/factories.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(() => h.close());

/** What registerOnce reads of a request: the tenant, the database and the clock. */
async function context(): Promise<AppContext> {
  const tenant = await newTenant(h);
  return { var: { tenant, deps: h.deps } } as unknown as AppContext;
}

const form = () => ({ _once: crypto.randomUUID() });

describe('a form sent more than once', () => {
  it('counts the first send only; a repeat, even at once, answers as the first did', async () => {
    const c = await context();
    const values = form();
    let calls = 0;
    const register = async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { ok: true as const };
    };
    const [first, second] = await Promise.all([registerOnce(c, values, register), registerOnce(c, values, register)]);
    expect([first, second].filter((r) => r === null)).toHaveLength(1);
    expect(calls).toBe(1);
    expect(await registerOnce(c, values, register)).toBeNull();
    expect(calls).toBe(1);
  });

  it('a repeat of a refused send is judged itself, and refused alike, never told it counted', async () => {
    const c = await context();
    const values = form();
    const refuse = async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { ok: false as const };
    };
    const answers = await Promise.all([registerOnce(c, values, refuse), registerOnce(c, values, refuse)]);
    expect(answers).toEqual([{ ok: false }, { ok: false }]);
  });

  it('a send that failed (the storage away) gives its names back: sent again, it is judged, at once', async () => {
    const c = await context();
    const values = form();
    const sameAs = `receipt:${crypto.randomUUID()}`;
    await expect(registerOnce(c, values, () => Promise.reject(new Error('storage away')), { sameAs })).rejects.toThrow('storage away');
    const started = Date.now();
    expect(await registerOnce(c, values, async () => ({ ok: true as const }), { sameAs })).toEqual({ ok: true });
    expect(Date.now() - started).toBeLessThan(2_000);
    // And the same thing sent from a fresh form (Back, then send) now counts once.
    expect(await registerOnce(c, form(), async () => ({ ok: true as const }), { sameAs })).toBeNull();
  });
});
