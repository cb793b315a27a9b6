import { raw } from 'hono/html';

const SPECIAL = /[&<>"'\u0100-\uffff]/;
const ESCAPED = /[&<>"']|[^\u0000-\u00ff]/gu;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text made safe for HTML content and quoted attribute values. Characters above U+00FF
 * (’, —, emoji) are written as character references: one of them in a client's name would
 * otherwise make V8 keep the whole rendered page as two-byte text, twice the memory to
 * flatten and slower to encode as it is sent. Browsers show them the same.
 */
export function escapeHtml(text: string): string {
  return SPECIAL.test(text) ? text.replace(ESCAPED, (c) => ENTITIES[c] ?? `&#${c.codePointAt(0)};`) : text;
}

/**
 * Markup written as a string, for the few parts repeated on every row of a long table: JSX
 * and html templates build an object per element and per value, which made most of the
 * time a tray page took to render. Every value spliced into such a string goes through
 * `escapeHtml`; the result is handed to JSX as already-escaped HTML.
 */
export function markup(html: string) {
  return raw(html);
}
