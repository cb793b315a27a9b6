import type { Child } from 'hono/jsx';
import { CsrfField } from '../components/forms.js';
import { FlashMessage } from '../components/flash.js';
import { useView } from '../context.js';
import { Document } from './document.js';
import { navigation, visibleEntries, type NavEntry } from './nav.js';

function isCurrent(path: string, href: string): boolean {
  return href === '/app' ? path === '/app' : path === href || path.startsWith(`${href}/`);
}

function NavList({ entries }: { entries: NavEntry[] }) {
  const { t, path } = useView();
  return (
    <ul>
      {entries.map((entry) => {
        const current = entry.children ? entry.children.some((c) => isCurrent(path, c.href)) : isCurrent(path, entry.href);
        return (
          <li class={current ? 'current' : undefined}>
            <a href={entry.href} aria-current={current && !entry.children ? 'page' : undefined}>
              {t(entry.label)}
            </a>
            {entry.children && <NavList entries={entry.children} />}
          </li>
        );
      })}
    </ul>
  );
}

/** The back-office shell: the tenant, the navigation the user may open, the account menu. */
export function AppLayout(props: { title: string; children: Child }) {
  const { t, tenant, user, can } = useView();
  const entries = visibleEntries(navigation, can, tenant?.enabledApps);
  return (
    <Document title={props.title}>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <div class="shell">
        <header class="topbar">
          <a class="brand" href="/app">
            {t('app.name')}
            <span class="tenant">{tenant?.name}</span>
          </a>
          <details class="account">
            <summary>{user?.name}</summary>
            <ul>
              <li>
                <a href="/app/account">{t('nav.account')}</a>
              </li>
              <li>
                <form method="post" action="/app/logout">
                  <CsrfField />
                  <button type="submit" class="link">
                    {t('nav.logout')}
                  </button>
                </form>
              </li>
            </ul>
          </details>
        </header>
        <nav class="sidebar" aria-label={t('nav.menu')}>
          <NavList entries={entries} />
        </nav>
        <main id="main" tabindex={-1}>
          <FlashMessage />
          {props.children}
        </main>
      </div>
    </Document>
  );
}
