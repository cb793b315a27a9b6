import { randomBytes } from 'node:crypto';
import { hmac } from '@oslojs/crypto/hmac';
import { SHA256, sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding, encodeBase64urlNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

const encoder = new TextEncoder();

/** A random token with 160 bits of entropy, safe in cookies and URLs. */
export function generateToken(): string {
  return encodeBase32LowerCaseNoPadding(randomBytes(20));
}

/** What the database stores in place of a token: its SHA-256, hex. */
export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(encoder.encode(token)));
}

export function sign(secret: string, message: string): string {
  return encodeBase64urlNoPadding(hmac(SHA256, encoder.encode(secret), encoder.encode(message)));
}

export function verifySignature(secret: string, message: string, signature: string): boolean {
  return safeEqual(sign(secret, message), signature);
}

export function safeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  return left.length === right.length && constantTimeEqual(left, right);
}

/**
 * A value with an expiry and a signature, for links sent by email or message:
 * `payload.expiresAtSeconds.signature`. The payload must not contain dots.
 */
export function signExpiring(secret: string, purpose: string, payload: string, expiresAt: Date): string {
  const exp = Math.floor(expiresAt.getTime() / 1000).toString(36);
  return `${payload}.${exp}.${sign(secret, `${purpose}:${payload}.${exp}`)}`;
}

export function verifyExpiring(secret: string, purpose: string, value: string, now: Date): string | null {
  const parts = value.split('.');
  if (parts.length !== 3) return null;
  const [payload, exp, signature] = parts as [string, string, string];
  if (!verifySignature(secret, `${purpose}:${payload}.${exp}`, signature)) return null;
  if (parseInt(exp, 36) * 1000 <= now.getTime()) return null;
  return payload;
}
