import { wordFor } from '../../src/events/describe.js';
import { TO_VERIFY_PAGE, type PaymentToVerify } from '../../src/payments/to-verify.js';
import { Pager, PastLastPage, pageHref } from '../components/pager.js';
import { ScopeTabs } from '../components/scope-tabs.js';
import { DataTable } from '../components/table.js';
import { useView } from '../context.js';

/**
 * Pagos por verificar: every payment still waiting for staff, the longest waiting first, each
 * with a link to where it is verified or refused. An advisor sees their clients' by default.
 */
export function PaymentsToVerifyPage(props: { rows: PaymentToVerify[]; total: number; page: number; scope: 'mine' | 'all' }) {
  const { t, money, date, dateTime, can } = useView();
  const shown = props.rows;
  return (
    <>
      <div class="page-header">
        <h1>{t('toVerify.title')}</h1>
      </div>
      <p class="hint">{t(can('clients.edit') ? 'toVerify.intro' : 'toVerify.introReadOnly')}</p>
      <ScopeTabs label={t('toVerify.title')} scope={props.scope} mine="/app/payments-to-verify?scope=mine" all="/app/payments-to-verify?scope=all" />
      {shown.length === 0 && props.total > 0 ? (
        <PastLastPage total={{ count: props.total, capped: false, pageSize: TO_VERIFY_PAGE }} firstPage={pageHref('/app/payments-to-verify', { scope: props.scope }, 1)} />
      ) : shown.length === 0 ? (
        <p class="panel">{t('toVerify.empty')}</p>
      ) : (
        <DataTable
          rows={shown}
          columns={[
            {
              heading: t('alerts.client'),
              cell: (row) => (
                <>
                  <a href={`/app/clients/${row.clientId}`}>{row.clientName}</a>
                  <br />
                  <small>
                    {row.documentType} {row.documentNumber}
                  </small>
                </>
              ),
            },
            { heading: t('toVerify.amount'), kind: 'num', cell: (row) => money(row.amount) },
            {
              heading: t('toVerify.payment'),
              cell: (row) => (
                <>
                  {date(row.paidOn)} · {wordFor(t, row.method, ['payments.method.'])}
                  <br />
                  <small>
                    {t(row.kind === 'campaign' ? 'toVerify.kind.campaign' : 'toVerify.kind.order')} · {t(`toVerify.source.${row.source === 'portal' ? 'portal' : 'staff'}`)}
                    {row.hasReceipt ? ` · ${t('toVerify.receipt')}` : ''}
                  </small>
                </>
              ),
            },
            { heading: t('toVerify.reportedAt'), cell: (row) => <time datetime={row.reportedAt.toISOString()}>{dateTime(row.reportedAt)}</time> },
            { heading: t('alerts.advisor'), cell: (row) => row.advisorName ?? t('alerts.noAdvisor') },
            {
              heading: <span class="visually-hidden">{t('toVerify.review')}</span>,
              kind: 'actions',
              cell: (row) => (
                <a href={row.href} aria-label={`${t('toVerify.review')}: ${row.clientName}`}>
                  {t('toVerify.review')}
                </a>
              ),
            },
          ]}
        />
      )}
      {props.total > 0 && (
        <Pager path="/app/payments-to-verify" query={{ scope: props.scope }} page={props.page} pageSize={TO_VERIFY_PAGE} total={props.total} capped={false} shown={shown.length} />
      )}
    </>
  );
}
