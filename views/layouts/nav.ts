import type { MessageKey } from '../../src/platform/i18n/index.js';
import type { Permission } from '../../src/platform/permissions.js';

export interface NavEntry {
  href: string;
  label: MessageKey;
  /** Shown only to users who have it; entries without one are for every staff user. */
  permission?: Permission;
  /** Shown only while the tenant has this marketplace app switched on. */
  app?: 'charged_off';
  /** Shown when the user has any of these (Reclamos: view or edit). */
  anyOf?: Permission[];
  children?: NavEntry[];
}

/**
 * The back office's navigation, in the spec's words. Each capability adds its entry when
 * it exists; a section with no entry the user may open is not shown.
 */
export const navigation: NavEntry[] = [
  { href: '/app', label: 'nav.home' },
  {
    href: '/app/clients',
    label: 'nav.receivables',
    children: [
      { href: '/app/clients', label: 'nav.clients', permission: 'receivables' },
      { href: '/app/orders', label: 'nav.orders', permission: 'receivables' },
      // SPEC 5: the app's tab comes right after Órdenes de pago.
      { href: '/app/campaigns', label: 'nav.chargedOff', permission: 'receivables', app: 'charged_off' },
      { href: '/app/payments-to-verify', label: 'nav.toVerify', permission: 'receivables' },
      { href: '/app/alerts', label: 'nav.alerts', permission: 'receivables' },
    ],
  },
  { href: '/app/claims', label: 'nav.claims', anyOf: ['claims.view', 'claims.edit'] },
  { href: '/app/process-log', label: 'nav.processLog', anyOf: ['imports', 'reports.download'] },
  {
    href: '/app/settings',
    label: 'nav.settings',
    children: [
      { href: '/app/settings/general', label: 'nav.general', permission: 'settings' },
      { href: '/app/settings/users', label: 'nav.users', permission: 'users' },
      { href: '/app/settings/apps', label: 'nav.marketplace', permission: 'settings' },
      { href: '/app/settings/outbox', label: 'nav.outbox', permission: 'settings' },
      { href: '/app/settings/portal', label: 'nav.portal', permission: 'settings' },
    ],
  },
];

export function visibleEntries(entries: NavEntry[], can: (p: Permission) => boolean, apps: readonly string[] = []): NavEntry[] {
  const out: NavEntry[] = [];
  for (const entry of entries) {
    if (entry.permission && !can(entry.permission)) continue;
    if (entry.app && !apps.includes(entry.app)) continue;
    if (entry.anyOf && !entry.anyOf.some(can)) continue;
    if (entry.children) {
      const children = visibleEntries(entry.children, can, apps);
      if (children.length === 0) continue;
      out.push({ ...entry, children, href: children[0]!.href });
    } else {
      out.push(entry);
    }
  }
  return out;
}
