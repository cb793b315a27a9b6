import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { ClientRow } from '../../src/clients/queries.js';
import type { Situation } from '../../src/clients/situation.js';
import type { Translate } from '../../src/platform/i18n/index.js';
import { escapeHtml, markup } from '../components/markup.js';
import { useView } from '../context.js';

const situationTone: Record<Situation, string> = {
  finalizado: 'badge-muted',
  con_reclamo: 'badge-warn',
  al_dia: 'badge-ok',
  mora_1_30: 'badge-warn',
  mora_31_60: 'badge-danger',
  mora_61_90: 'badge-danger',
  mora_90_mas: 'badge-danger',
};

// The badges and icons are strings rather than JSX: the tray repeats them on every row,
// where JSX's cost per element made most of a page's rendering time. As components they
// render the same in JSX views.

export function situationBadge(t: Translate, situation: Situation): string {
  const title = situation === 'mora_1_30' ? ` title="${escapeHtml(t('situation.mora_1_30.hint'))}"` : '';
  return `<span class="badge ${situationTone[situation]}"${title}>${escapeHtml(t(`situation.${situation}`))}</span>`;
}

export function SituationBadge({ situation }: { situation: Situation }) {
  return markup(situationBadge(useView().t, situation));
}

export function statusBadge(t: Translate, client: Pick<ClientRow, 'status' | 'deletedAt'>): string {
  if (client.deletedAt) return `<span class="badge badge-danger">${escapeHtml(t('clients.status.eliminado'))}</span>`;
  return `<span class="badge ${client.status === 'activo' ? 'badge-ok' : 'badge-muted'}">${escapeHtml(t(`clients.status.${client.status}`))}</span>`;
}

export function StatusBadge({ client }: { client: Pick<ClientRow, 'status' | 'deletedAt'> }) {
  return markup(statusBadge(useView().t, client));
}

/** The "Cartera castigada" label: shown while the client has an active charged-off campaign. */
export function chargedOffBadge(t: Translate, client: Pick<ClientRow, 'activeCampaign'>): string {
  return client.activeCampaign ? `<span class="badge badge-charged-off">${escapeHtml(t('clients.chargedOff'))}</span>` : '';
}

export function ChargedOffBadge({ client }: { client: Pick<ClientRow, 'activeCampaign'> }) {
  return client.activeCampaign ? markup(chargedOffBadge(useView().t, client)) : null;
}

const paths = {
  pencil: 'M3 17.25V21h3.75L17.81 9.94l-3.75-3.75L3 17.25zm17.71-10.21a1 1 0 0 0 0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75 1.83-1.83z',
  eye: 'M12 5C7 5 2.73 8.11 1 12c1.73 3.89 6 7 11 7s9.27-3.11 11-7c-1.73-3.89-6-7-11-7zm0 11.5A4.5 4.5 0 1 1 12 7.5a4.5 4.5 0 0 1 0 9zm0-7a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z',
  envelope: 'M20 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm0 4-8 5-8-5V6l8 5 8-5v2z',
  bin: 'M6 19a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2V7H6v12zM19 4h-3.5l-1-1h-5l-1 1H5v2h14V4z',
  restore: 'M13 3a9 9 0 0 0-9 9H1l3.89 3.89.07.14L9 12H6a7 7 0 1 1 2.05 4.95l-1.42 1.42A9 9 0 1 0 13 3z',
} as const;

// Each shape is written once per page (IconSprite) and every icon refers to it: a tray page
// repeats four icons on every row, and the paths alone were a third of its bytes.
const sprite = raw(
  // In a hidden HTML element: `hidden` on the svg itself would not keep it from taking room.
  `<div class="icon-sprite" hidden=""><svg aria-hidden="true">${Object.entries(paths)
    .map(([name, d]) => `<symbol id="icon-${name}" viewBox="0 0 24 24"><path d="${d}" fill="currentColor"></path></symbol>`)
    .join('')}</svg></div>`,
);

/** The shapes the icons refer to; a page that shows icons includes it once, outside any part htmx swaps. */
export function IconSprite() {
  return sprite;
}

// Built once: an icon is always the same markup, only its words change. Its size is in the
// markup so that a page whose stylesheet has not arrived does not show it huge.
const shapes = Object.fromEntries(
  Object.keys(paths).map((name) => [name, `<svg class="icon" width="18" height="18" aria-hidden="true"><use href="#icon-${name}"></use></svg>`]),
) as Record<IconName, string>;

export type IconName = keyof typeof paths;

/** An icon with its words for screen readers. */
export function Icon({ name, label }: { name: IconName; label: string }) {
  return markup(`${shapes[name]}<span class="visually-hidden">${escapeHtml(label)}</span>`);
}

/**
 * A link shown as an icon. Its title is its name: a tooltip for the eye and, for want of
 * any text inside, the name assistive technology reads out. Both are HTML already: rows
 * build them from escaped parts, so that a client's name is escaped once, not per action.
 */
export function iconLink(hrefHtml: string, icon: IconName, labelHtml: string): string {
  return `<a class="icon-link" href="${hrefHtml}" title="${labelHtml}">${shapes[icon]}</a>`;
}


/** Links between a client's pages. */
export function ClientTabs(props: { clientId: number; current: 'client' | 'interactions' }) {
  const { t } = useView();
  const tab = (key: 'client' | 'interactions', href: string, label: Child) => (
    <li>
      <a href={href} aria-current={props.current === key ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
  return (
    <nav class="client-tabs" aria-label={t('clients.tabs')}>
      <ul>
        {tab('client', `/app/clients/${props.clientId}`, t('clients.page.summary'))}
        <li>
          <a href={`/app/clients/${props.clientId}/statement`}>{t('clients.action.statement')}</a>
        </li>
        {tab('interactions', `/app/clients/${props.clientId}/interactions`, t('clients.interactions.title'))}
      </ul>
    </nav>
  );
}
