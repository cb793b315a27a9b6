import { describe, expect, it } from 'vitest';
import { senderWentAway } from '../../src/platform/errors.js';

describe('a request whose sender went away', () => {
  it('is told apart from a server fault: an aborted body, a reset, a request already aborted', () => {
    expect(senderWentAway(new Error('aborted'))).toBe(true);
    expect(senderWentAway(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    const gone = new AbortController();
    gone.abort();
    expect(senderWentAway(new Error('Body is unusable'), new Request('http://x.test/', { signal: gone.signal }))).toBe(true);
    expect(senderWentAway(new Error('relation "clients" does not exist'), new Request('http://x.test/'))).toBe(false);
  });
});
