import { describe, expect, it } from 'vitest';
import { hashToken, sign, verifySignature } from '../../src/platform/auth/tokens.js';

// Stored session and reset-token hashes, and every signed cookie and link already handed out,
// depend on these exact bytes.
describe('token hashing and signing', () => {
  it('hashes with SHA-256 as lowercase hex', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('año')).toBe('f5b8fbdc12f475287cbc62727eecdb6f145a80de49c76b84779a083816b93932');
  });

  it('signs with HMAC-SHA-256 as base64url without padding', () => {
    expect(sign('key', 'The quick brown fox jumps over the lazy dog')).toBe('97yD9DBThCSxMpjmqm-xQ-9NWaFJRhdZl0edvC0aPNg');
    expect(verifySignature('key', 'The quick brown fox jumps over the lazy dog', '97yD9DBThCSxMpjmqm-xQ-9NWaFJRhdZl0edvC0aPNg')).toBe(true);
    expect(verifySignature('key', 'The quick brown fox jumps over the lazy cat', '97yD9DBThCSxMpjmqm-xQ-9NWaFJRhdZl0edvC0aPNg')).toBe(false);
  });
});
