import { useView } from '../context.js';

/**
 * The two tabs of a list that is an advisor's own or everyone's ("Mis clientes y sin asesor" /
 * "Todas"), each a plain link.
 */
export function ScopeTabs(props: { label: string; scope: 'mine' | 'all'; mine: string; all: string }) {
  const { t } = useView();
  return (
    <nav class="tabs" aria-label={props.label}>
      <a href={props.mine} aria-current={props.scope === 'mine' ? 'page' : undefined}>
        {t('alerts.mine')}
      </a>
      <a href={props.all} aria-current={props.scope === 'all' ? 'page' : undefined}>
        {t('alerts.all')}
      </a>
    </nav>
  );
}
