import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { View, type ViewContext } from '../../views/context.js';
import { AppLayout } from '../../views/layouts/app.js';
import { PlainLayout } from '../../views/layouts/plain.js';
import type { AppContext } from './context.js';
import { COMPRESS_FROM_BYTES, gzipPage, takesGzip } from './compression.js';
import { dateIn } from './dates.js';
import { takeFlash } from './flash.js';
import { formatMoney } from './money.js';
import { can } from './permissions.js';

// Days as staff and debtors write them on paper: two-digit day and month, four-digit year
// ("05/01/2026" in es-PE), never the short style's "5/01/26".
const DAY = { day: '2-digit', month: '2-digit', year: 'numeric' } as const;
const dateFormatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${withTime}`;
  let f = dateFormatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, withTime ? { timeZone, ...DAY, hour: '2-digit', minute: '2-digit' } : { timeZone: 'UTC', ...DAY });
    dateFormatters.set(key, f);
  }
  return f;
}

const numberFormatters = new Map<string, Intl.NumberFormat>();
function numberFormatter(locale: string): Intl.NumberFormat {
  let f = numberFormatters.get(locale);
  if (!f) {
    f = new Intl.NumberFormat(locale);
    numberFormatters.set(locale, f);
  }
  return f;
}

export function viewContext(c: AppContext): ViewContext {
  const tenant = c.get('tenant') as AppContext['var']['tenant'] | undefined;
  const user = c.var.user;
  // In English the words change, not the calendar: days stay day-first (06/12/2026, 18:03),
  // as everywhere the tenant works, in its files and in what its debtors read.
  const locale = tenant ? (c.var.lang === 'en' ? 'en-GB' : tenant.locale) : 'es-PE';
  const currency = tenant?.currency ?? 'PEN';
  const timeZone = tenant?.timezone ?? 'UTC';
  return {
    t: c.var.t,
    lang: c.var.lang,
    tenant,
    user,
    can: (permission) => can(user, permission),
    csrfToken: c.var.csrfToken ?? '',
    asset: (name) => c.var.deps.assets.url(name),
    path: c.req.path,
    flash: c.req.method === 'GET' ? takeFlash(c) : undefined,
    requestId: c.var.requestId,
    money: (minor) => (minor === null || minor === undefined ? '—' : formatMoney(minor, currency, locale)),
    date: (value) => {
      if (!value) return '—';
      const iso = value instanceof Date ? dateIn(timeZone, value) : value.slice(0, 10);
      return formatter(locale, timeZone, false).format(new Date(`${iso}T00:00:00Z`));
    },
    dateTime: (value) => (value ? formatter(locale, timeZone, true).format(new Date(value)) : '—'),
    number: (value) => numberFormatter(locale).format(value),
  };
}

/**
 * Whether the request wants a fragment: htmx asked for it, and it is neither a boosted
 * navigation nor the restoration of a page from history (back button), which need the whole page.
 */
export function isHtmx(c: AppContext): boolean {
  return c.req.header('HX-Request') === 'true' && c.req.header('HX-Boosted') !== 'true' && c.req.header('HX-History-Restore-Request') !== 'true';
}

interface RenderOptions {
  title: string;
  /** The whole page's content, rendered inside the layout. */
  body: Child;
  /** The part an HTMX request swaps (usually a piece of `body`); without it HTMX gets the page. */
  fragment?: Child;
  layout?: 'app' | 'plain' | 'none';
  status?: ContentfulStatusCode;
}

/**
 * The one place that decides between the full page and the fragment: the same view code
 * serves both, and an HTMX request gets only the part it swaps.
 */
export function render(c: AppContext, options: RenderOptions) {
  const view = viewContext(c);
  let content: Child;
  if (options.fragment !== undefined && isHtmx(c)) {
    content = options.fragment;
  } else if (options.layout === 'none') {
    content = options.body;
  } else if ((options.layout ?? 'app') === 'app') {
    content = <AppLayout title={options.title}>{options.body}</AppLayout>;
  } else {
    content = <PlainLayout title={options.title}>{options.body}</PlainLayout>;
  }
  // Accept-Encoding is named here, as the compression middleware names it anyway: when the
  // middleware adds it to a finished response, the response is rebuilt around a stream.
  c.header('Vary', 'HX-Request, Accept-Encoding');
  const status = options.status ?? 200;
  const page = (<View.Provider value={view}>{content}</View.Provider>).toString();
  // Views are synchronous, so the page is a whole string here: it is cheaper to compress it
  // now than to let the middleware stream it (./compression.ts).
  if (typeof page === 'string' && page.length >= COMPRESS_FROM_BYTES && c.req.method !== 'HEAD' && takesGzip(c.req.header('Accept-Encoding'))) {
    c.header('Content-Encoding', 'gzip');
    c.header('Content-Type', 'text/html; charset=UTF-8');
    return c.body(gzipPage(page), status);
  }
  return c.html(page, status);
}

/** A redirect after a successful POST; HTMX requests get HX-Location so the browser follows it too. */
export function redirectTo(c: AppContext, location: string) {
  if (isHtmx(c)) {
    c.header('HX-Redirect', location);
    return c.body(null, 204);
  }
  return c.redirect(location, 303);
}
