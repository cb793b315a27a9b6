import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { PortalKind, PortalSettings } from '../../src/portal/schema.js';
import { FlashMessage } from '../components/flash.js';
import { useView } from '../context.js';

/** Tenant-scoped addresses of the portal's own files; the version busts caches after a change. */
export function portalAssetUrls(settings: PortalSettings, kind: PortalKind) {
  const v = settings.updatedAt.getTime().toString(36);
  const logoKey = kind === 'customer' ? settings.customerLogoKey : settings.recoveryLogoKey;
  return {
    theme: `/portal/theme/${kind}?v=${v}`,
    logo: logoKey ? `/portal/logo/${kind}?v=${v}` : null,
    banner: kind === 'recovery' && settings.recoveryBannerKey ? `/portal/banner/recovery?v=${v}` : null,
  };
}

/**
 * The debtor portals' page: no back-office stylesheet and no script of its own (a page adds
 * what it needs: htmx for a countdown, receipt.js beside a receipt form), the tenant's colour
 * from a tiny stylesheet of its own (inline styles are not allowed by the CSP), and its logo.
 */
export function PortalLayout(props: { title: string; kind: PortalKind; settings: PortalSettings; children: Child; actions?: Child; head?: Child }) {
  const { lang, asset, tenant } = useView();
  const urls = portalAssetUrls(props.settings, props.kind);
  const heading = props.kind === 'customer' ? props.settings.customerTitle : props.settings.recoveryTitle;
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <link rel="icon" href="data:," />
          <title>{`${props.title} · ${tenant?.name ?? ''}`}</title>
          <link rel="stylesheet" href={asset('portal.css')} />
          <link rel="stylesheet" href={urls.theme} />
          {props.head}
        </head>
        <body>
          <header class="top">
            {urls.logo ? <img src={urls.logo} alt={tenant?.name ?? ''} class="logo" height="40" /> : <span class="name">{tenant?.name}</span>}
            <span class="heading">{heading}</span>
            {props.actions}
          </header>
          <main id="main">
            <FlashMessage />
            {props.children}
          </main>
          {props.kind === 'recovery' && props.settings.legalText && (
            <footer class="legal">
              <p class="pre">{props.settings.legalText}</p>
            </footer>
          )}
        </body>
      </html>
    </>
  );
}
