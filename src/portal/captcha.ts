import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { createChallenge, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { sql } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import * as v from 'valibot';
import { rows, type Db } from '../db/index.js';
import { hit, unhit } from '../platform/auth/rate-limit.js';
import { hashToken, safeEqual, sign, signExpiring, verifyExpiring } from '../platform/auth/tokens.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import type { MessageKey } from '../platform/i18n/index.js';
import { clientIp } from '../platform/ip.js';
import type { CaptchaKind, PortalSettings } from './schema.js';

/*
 * The recovery portal's captcha (decision 0010): a proof of work solved by the browser (ALTCHA)
 * or, when the tenant chose it, Google reCAPTCHA; both with a question in words for browsers
 * without JavaScript. Every accepted solution is spent: the table captcha_uses remembers it
 * until it would have expired anyway.
 */

/** The form fields the widget and the question post. */
export const CAPTCHA_FIELDS = { altcha: 'altcha', recaptcha: 'g-recaptcha-response', token: 'captchaToken', answer: 'captchaAnswer' } as const;

/**
 * The work: PBKDF2-SHA-256 with COST iterations per attempt, and the answer a counter drawn
 * between COUNTER_MIN and COUNTER_MAX, so the browser's search always ends by COUNTER_MAX
 * attempts (no unlucky long tail). Measured in decision 0010: about a second on a cheap phone.
 */
export const ALTCHA_ALGORITHM = 'PBKDF2/SHA-256';
export const ALTCHA_COST = 1_000;
export const COUNTER_MIN = 1_000;
export const COUNTER_MAX = 3_000;
/** How long a challenge or a question may be answered; the server's clock decides, never the phone's. */
export const CAPTCHA_TTL_MS = 10 * 60_000;
/**
 * A page's challenge is fetched anew when the widget starts this long after the page came,
 * and a solution this old is solved again before the form goes: the phone measures the time
 * it has waited (not its clock), a minute short of the server's limit.
 */
export const CAPTCHA_FRESH_FOR_MS = CAPTCHA_TTL_MS - 60_000;
/** Where the widget fetches a fresh challenge for a page left open (JSON, never cached). */
export const CAPTCHA_CHALLENGE_PATH = '/recovery/captcha';
/** A person needs a few seconds to read the question and type; a script that answers at once is refused. */
export const QUESTION_MIN_MS = 3_000;
/**
 * Wrong answers to the question per address and hour: it is the cheap way in, so guesses are
 * counted. Right answers are not: debtors behind one carrier's address must not lock each
 * other out.
 */
export const QUESTION_LIMIT = { max: 20, windowMs: 3_600_000 } as const;
const RECAPTCHA_TIMEOUT_MS = 5_000;
const MAX_PAYLOAD = 4_096;

export interface CaptchaQuestion {
  /** Signed, expiring, single-use; carries a keyed hash of the answer, never the answer. */
  token: string;
  /** "¿Cuánto es siete más cuatro?", in the request's language. */
  question: string;
}

/** What <Captcha> renders: the widget of the tenant's choice, and the question for browsers without JavaScript. */
export type CaptchaProps =
  /** `challenge`: the signed challenge as JSON, inline in the page (no request before the work starts). */
  | { kind: 'altcha'; challenge: string; question: CaptchaQuestion }
  | { kind: 'recaptcha'; siteKey: string; question: CaptchaQuestion };

/** reCAPTCHA only when the tenant chose it and gave both keys; otherwise the built-in captcha. */
export function captchaKindOf(settings: Pick<PortalSettings, 'captchaKind' | 'recaptchaSiteKey' | 'recaptchaSecret'>): CaptchaKind {
  return settings.captchaKind === 'recaptcha' && settings.recaptchaSiteKey && settings.recaptchaSecret ? 'recaptcha' : 'altcha';
}

/** A key of its own for each use of the app secret. */
function keyFor(secret: string, purpose: string): string {
  return sign(secret, `captcha:${purpose}`);
}

/** What the captcha_uses table stores for a spent challenge: a hash, so the table says nothing by itself. */
export function useId(kind: string, identity: string): string {
  return hashToken(`${kind}:${identity}`);
}

/** Spends a solution (or any single-use name): true the first time, false for a replay (the primary key refuses the second row). */
export async function spend(c: AppContext, id: string, expiresAt: Date): Promise<boolean> {
  const inserted = await rows<{ id: string }>(
    c.var.deps.database.db,
    sql`insert into captcha_uses (tenant_id, id, expires_at) values (${c.var.tenant.id}, ${id}, ${expiresAt.toISOString()})
        on conflict do nothing returning id`,
  );
  return inserted.length === 1;
}

/** Until when a name is spent (null when it is not, or was given back). */
export async function spentUntilOf(c: AppContext, id: string): Promise<Date | null> {
  const [found] = await rows<{ expires_at: Date | string }>(c.var.deps.database.db, sql`select expires_at from captcha_uses where tenant_id = ${c.var.tenant.id} and id = ${id}`);
  return found ? new Date(found.expires_at) : null;
}

/** Whether a name is spent (and not given back). */
export async function isSpent(c: AppContext, id: string): Promise<boolean> {
  return (await spentUntilOf(c, id)) !== null;
}

/** Makes a spent name usable again (a send that was refused did not use it). */
export async function unspend(c: AppContext, id: string): Promise<void> {
  await c.var.deps.database.db.execute(sql`delete from captcha_uses where tenant_id = ${c.var.tenant.id} and id = ${id}`);
}

/** The maintenance job forgets a tenant's spent solutions once they could not be replayed anyway. */
export async function pruneCaptchaUses(db: Db, tenantId: number, now: Date): Promise<void> {
  await db.execute(sql`delete from captcha_uses where tenant_id = ${tenantId} and expires_at < ${now.toISOString()}`);
}

// ---------------------------------------------------------------------------------------------
// ALTCHA

/**
 * A new signed challenge for a tenant; its expiry travels in the signed data. `counter` is
 * for tests only, which need a challenge they can solve at once.
 */
export async function newAltchaChallenge(options: { secret: string; tenantId: number; now: Date; counter?: number }): Promise<Challenge> {
  const expires = Math.floor((options.now.getTime() + CAPTCHA_TTL_MS) / 1000);
  return createChallenge({
    algorithm: ALTCHA_ALGORITHM,
    cost: ALTCHA_COST,
    counter: options.counter ?? randomInt(COUNTER_MIN, COUNTER_MAX + 1),
    deriveKey,
    // Not `expiresAt`: altcha-lib and the widget would compare it with their own clocks (a
    // phone's may be hours off); the tenant and the expiry are signed data checked here.
    data: { t: options.tenantId, e: expires },
    hmacSignatureSecret: keyFor(options.secret, 'altcha'),
    hmacKeySignatureSecret: keyFor(options.secret, 'altcha-key'),
  });
}

const AltchaPayload = v.object({
  challenge: v.object({
    parameters: v.looseObject({
      algorithm: v.literal(ALTCHA_ALGORITHM),
      data: v.looseObject({ t: v.number(), e: v.number() }),
    }),
    signature: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  }),
  solution: v.object({
    counter: v.number(),
    derivedKey: v.pipe(v.string(), v.maxLength(256)),
    time: v.optional(v.number()),
  }),
});

async function verifyAltcha(c: AppContext, value: string): Promise<boolean> {
  if (value.length > MAX_PAYLOAD) return false;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch {
    return false;
  }
  const parsed = v.safeParse(AltchaPayload, decoded);
  if (!parsed.success) return false;
  const { challenge, solution } = parsed.output;
  const { t: tenantId, e: expires } = challenge.parameters.data;
  const { secret, clock } = c.var.deps;
  if (tenantId !== c.var.tenant.id || expires * 1000 <= clock.now().getTime()) return false;
  try {
    const result = await verifySolution({
      challenge: challenge as unknown as Challenge,
      solution,
      deriveKey,
      hmacSignatureSecret: keyFor(secret, 'altcha'),
      hmacKeySignatureSecret: keyFor(secret, 'altcha-key'),
    });
    if (!result.verified) return false;
  } catch {
    return false;
  }
  return spend(c, useId('altcha', challenge.signature), new Date(expires * 1000));
}

// ---------------------------------------------------------------------------------------------
// The question, for browsers without JavaScript (or where the widget cannot run)

const QUESTION_PURPOSE = 'captcha-question';
const numberKeys = ['portal.captcha.n1', 'portal.captcha.n2', 'portal.captcha.n3', 'portal.captcha.n4', 'portal.captcha.n5', 'portal.captcha.n6', 'portal.captcha.n7', 'portal.captcha.n8', 'portal.captcha.n9'] as const satisfies readonly MessageKey[];

/** 32 hex digits, not `sign`'s base64url: `verifyQuestion` reads the token's '-'-joined fields with a pattern that expects them. */
function answerMac(secret: string, nonce: string, answer: string): string {
  return createHmac('sha256', keyFor(secret, 'question-answer')).update(`${nonce}:${answer}`).digest('hex').slice(0, 32);
}

/** A sum or a difference of two numbers from one to nine, in words; the answer is never below one. */
export function newQuestion(c: AppContext): CaptchaQuestion {
  const { secret, clock } = c.var.deps;
  let a = randomInt(1, 10);
  let b = randomInt(1, 10);
  const minus = a !== b && randomInt(0, 2) === 1;
  if (minus && a < b) [a, b] = [b, a];
  const answer = minus ? a - b : a + b;
  const now = clock.now();
  const nonce = randomBytes(12).toString('hex');
  const payload = [c.var.tenant.id, now.getTime().toString(36), nonce, answerMac(secret, nonce, String(answer))].join('-');
  const t = c.var.t;
  return {
    token: signExpiring(keyFor(secret, 'question'), QUESTION_PURPOSE, payload, new Date(now.getTime() + CAPTCHA_TTL_MS)),
    question: t(minus ? 'portal.captcha.questionMinus' : 'portal.captcha.questionPlus', { a: t(numberKeys[a - 1]!), b: t(numberKeys[b - 1]!) }),
  };
}

async function verifyQuestion(c: AppContext, token: string, answer: string): Promise<CaptchaVerdict> {
  const { secret, clock, database } = c.var.deps;
  const now = clock.now();
  const payload = token.length <= 512 ? verifyExpiring(keyFor(secret, 'question'), QUESTION_PURPOSE, token, now) : null;
  const match = payload ? /^(\d+)-([0-9a-z]+)-([0-9a-f]{24})-([0-9a-f]{32})$/.exec(payload) : null;
  if (!match || Number(match[1]) !== c.var.tenant.id) return refused;
  const issuedAt = parseInt(match[2]!, 36);
  if (now.getTime() - issuedAt < QUESTION_MIN_MS) return refused;
  // Counted first and taken back for a right answer, so that answers sent at once cannot all
  // slip under the limit.
  const limit = { key: `captcha:question:${clientIp(c)}`, ...QUESTION_LIMIT };
  const counted = await hit(database.db, c.var.tenant.id, limit, now);
  if (counted.limited) return { ok: false, retryAfterMs: counted.retryAfterMs };
  // Spent before the answer is checked: one guess per question, or the small set of answers could be tried in turn.
  if (!(await spend(c, useId('question', match[3]!), new Date(issuedAt + CAPTCHA_TTL_MS)))) return refused;
  const given = answer.trim();
  if (!/^\d{1,2}$/.test(given) || !safeEqual(answerMac(secret, match[3]!, String(Number(given))), match[4]!)) return refused;
  await unhit(database.db, c.var.tenant.id, limit, now);
  return accepted;
}

// ---------------------------------------------------------------------------------------------
// reCAPTCHA

const SiteVerify = v.looseObject({ success: v.boolean() });

async function verifyRecaptcha(c: AppContext, settings: PortalSettings, response: string): Promise<boolean> {
  if (response.length > MAX_PAYLOAD) return false;
  const body = new URLSearchParams({ secret: settings.recaptchaSecret ?? '', response });
  const ip = clientIp(c);
  if (ip !== 'unknown') body.set('remoteip', ip);
  try {
    const answer = await fetch(c.var.deps.config.recaptchaVerifyUrl, { method: 'POST', body, signal: AbortSignal.timeout(RECAPTCHA_TIMEOUT_MS) });
    if (!answer.ok) {
      c.var.log.warn('captcha.recaptcha_status', { status: answer.status });
      return false;
    }
    const parsed = v.safeParse(SiteVerify, await answer.json());
    return parsed.success && parsed.output.success;
  } catch (error) {
    // Google unreachable: refused, and the page offers the question instead.
    c.var.log.warn('captcha.recaptcha_unreachable', { error: error instanceof Error ? error.message : String(error) });
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// What routes call

/** The props of <Captcha> for this request: the tenant's widget and a fresh question. */
export async function captchaFor(c: AppContext, settings: PortalSettings): Promise<CaptchaProps> {
  const question = newQuestion(c);
  if (captchaKindOf(settings) === 'recaptcha') return { kind: 'recaptcha', siteKey: settings.recaptchaSiteKey!, question };
  const challenge = await newAltchaChallenge({ secret: c.var.deps.secret, tenantId: c.var.tenant.id, now: c.var.deps.clock.now() });
  return { kind: 'altcha', challenge: JSON.stringify(challenge), question };
}

/** A fresh signed challenge, as JSON, for a widget whose page has been open too long. */
export async function freshChallenge(c: AppContext): Promise<Response> {
  const challenge = await newAltchaChallenge({ secret: c.var.deps.secret, tenantId: c.var.tenant.id, now: c.var.deps.clock.now() });
  c.header('Cache-Control', 'no-store');
  return c.json(challenge);
}

type Values = Record<string, string | string[] | undefined>;

function field(values: Values, name: string): string {
  const value = values[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/**
 * Whether the form proves a person sent it. A refusal from an address that has guessed too
 * often says when it may try again.
 */
export type CaptchaVerdict = { ok: true } | { ok: false; retryAfterMs?: number };
const accepted: CaptchaVerdict = { ok: true };
const refused: CaptchaVerdict = { ok: false };

/**
 * Whether the form carries a captcha solved for this tenant, not expired and not used before:
 * the tenant's widget (ALTCHA payload or reCAPTCHA token) or, failing that, the question.
 * Either way the solution is spent.
 */
export async function verifyCaptcha(c: AppContext, settings: PortalSettings, values: Values): Promise<CaptchaVerdict> {
  if (captchaKindOf(settings) === 'recaptcha') {
    const response = field(values, CAPTCHA_FIELDS.recaptcha);
    if (response && (await verifyRecaptcha(c, settings, response))) return accepted;
  } else {
    const payload = field(values, CAPTCHA_FIELDS.altcha);
    if (payload && (await verifyAltcha(c, payload))) return accepted;
  }
  const token = field(values, CAPTCHA_FIELDS.token);
  const answer = field(values, CAPTCHA_FIELDS.answer);
  return token !== '' && answer.trim() !== '' ? verifyQuestion(c, token, answer) : refused;
}

// ---------------------------------------------------------------------------------------------
// Content-Security-Policy

/**
 * What a page with the captcha needs beyond the app's policy. ALTCHA needs nothing: its script,
 * stylesheet and worker are same-origin files (the worker falls under script-src 'self').
 * reCAPTCHA needs Google's script and frame origins, as Google documents them.
 */
const CSP_ADDITIONS: Record<CaptchaKind, Record<string, string[]>> = {
  altcha: {},
  recaptcha: {
    'script-src': ['https://www.google.com/recaptcha/', 'https://www.gstatic.com/recaptcha/'],
    'frame-src': ["'self'", 'https://www.google.com/recaptcha/', 'https://recaptcha.google.com/recaptcha/'],
  },
};
const pendingCsp = new WeakMap<Context, Record<string, string[]>>();

/** Relaxes this response's Content-Security-Policy just enough for the captcha it renders. */
export function captchaCsp(c: AppContext, captcha: CaptchaKind | Pick<CaptchaProps, 'kind'>): void {
  const additions = CSP_ADDITIONS[typeof captcha === 'string' ? captcha : captcha.kind];
  if (Object.keys(additions).length > 0) pendingCsp.set(c, additions);
}

/** The app's policy with sources added to some directives (a missing directive starts from default-src). */
export function withCspSources(policy: string, additions: Record<string, string[]>): string {
  const directives = policy
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => d.split(/\s+/));
  const fallback = directives.find((d) => d[0] === 'default-src')?.slice(1) ?? [];
  for (const [name, sources] of Object.entries(additions)) {
    let directive = directives.find((d) => d[0] === name);
    if (!directive) directives.push((directive = [name, ...fallback]));
    for (const source of sources) if (!directive.includes(source)) directive.push(source);
  }
  return directives.map((d) => d.join(' ')).join('; ');
}

/**
 * Mounted before secureHeaders (which writes the policy after the handler has run), so it
 * sees the final header and widens it only for responses that asked with captchaCsp().
 */
export const captchaCspHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const additions = pendingCsp.get(c);
  const policy = c.res.headers.get('Content-Security-Policy');
  if (additions && policy) c.res.headers.set('Content-Security-Policy', withCspSources(policy, additions));
};
