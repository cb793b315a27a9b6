import { describe, expect, it } from 'vitest';
import { senderWentAway } from '../../src/platform/errors.js';

describe('a request whose sender went away', () => {
  it('is told apart from a server fault: an aborted body or request, not a reset of some other connection', () => {
    expect(senderWentAway(new Error('aborted'))).toBe(true);
    // A reset of the database's connection, with the request still there, is a server fault.
    expect(senderWentAway(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), new Request('http://x.test/'))).toBe(false);
    const gone = new AbortController();
    gone.abort();
    expect(senderWentAway(new Error('Body is unusable'), new Request('http://x.test/', { signal: gone.signal }))).toBe(true);
    expect(senderWentAway(new Error('relation "clients" does not exist'), new Request('http://x.test/'))).toBe(false);
  });
});
