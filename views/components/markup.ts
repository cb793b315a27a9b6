import { raw } from 'hono/html';

const SPECIAL = /[&<>"']/;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ENTITIES[c]!) : text;
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
