import type { Child } from 'hono/jsx';
import type { ClientRow } from '../../src/clients/queries.js';
import type { Situation } from '../../src/clients/situation.js';
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

export function SituationBadge({ situation }: { situation: Situation }) {
  const { t } = useView();
  return (
    <span class={`badge ${situationTone[situation]}`} title={situation === 'mora_1_30' ? t('situation.mora_1_30.hint') : undefined}>
      {t(`situation.${situation}`)}
    </span>
  );
}

export function StatusBadge({ client }: { client: Pick<ClientRow, 'status' | 'deletedAt'> }) {
  const { t } = useView();
  if (client.deletedAt) return <span class="badge badge-danger">{t('clients.status.eliminado')}</span>;
  return <span class={`badge ${client.status === 'activo' ? 'badge-ok' : 'badge-muted'}`}>{t(`clients.status.${client.status}`)}</span>;
}

/** The "Cartera castigada" label: shown while the client has an active charged-off campaign. */
export function ChargedOffBadge({ client }: { client: Pick<ClientRow, 'activeCampaign'> }) {
  const { t } = useView();
  return client.activeCampaign ? <span class="badge badge-charged-off">{t('clients.chargedOff')}</span> : null;
}

const paths = {
  pencil: 'M3 17.25V21h3.75L17.81 9.94l-3.75-3.75L3 17.25zm17.71-10.21a1 1 0 0 0 0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75 1.83-1.83z',
  eye: 'M12 5C7 5 2.73 8.11 1 12c1.73 3.89 6 7 11 7s9.27-3.11 11-7c-1.73-3.89-6-7-11-7zm0 11.5A4.5 4.5 0 1 1 12 7.5a4.5 4.5 0 0 1 0 9zm0-7a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z',
  envelope: 'M20 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm0 4-8 5-8-5V6l8 5 8-5v2z',
  bin: 'M6 19a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2V7H6v12zM19 4h-3.5l-1-1h-5l-1 1H5v2h14V4z',
  restore: 'M13 3a9 9 0 0 0-9 9H1l3.89 3.89.07.14L9 12H6a7 7 0 1 1 2.05 4.95l-1.42 1.42A9 9 0 1 0 13 3z',
} as const;

/** An icon with its words for screen readers and a tooltip for everyone else. */
export function Icon({ name, label }: { name: keyof typeof paths; label: string }) {
  return (
    <>
      <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
        <path d={paths[name]} fill="currentColor" />
      </svg>
      <span class="visually-hidden">{label}</span>
    </>
  );
}

export function IconLink(props: { href: string; icon: keyof typeof paths; label: string }) {
  return (
    <a class="icon-link" href={props.href} title={props.label}>
      <Icon name={props.icon} label={props.label} />
    </a>
  );
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
