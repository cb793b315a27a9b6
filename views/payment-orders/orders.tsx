import type { OrderFilters } from '../../src/payment-orders/queries.js';
import { PageStep, PastLastPage, previousPage } from '../components/pager.js';
import { ResultsStatus } from '../components/results-status.js';
import { orderSorts } from '../../src/payment-orders/queries.js';
import { orderStatusOf, orderStatuses, type OrderStatus } from '../../src/payment-orders/status.js';
import type { IsoDate } from '../../src/platform/dates.js';
import { translateMessage } from '../../src/platform/i18n/index.js';
import { ConfirmedAction, ErrorSummary, Field, filterTrigger, PostForm, Select, type FieldErrors } from '../components/forms.js';
import { DownloadForm } from '../exports/confirm.js';
import { useView } from '../context.js';

export const statusBadge: Record<OrderStatus, string> = {
  pendiente: 'badge',
  vencida: 'badge badge-danger',
  pagada: 'badge badge-ok',
  anulada: 'badge badge-muted',
};

export interface OrderRow {
  id: number;
  paymentCode: string;
  product: string | null;
  amount: number;
  balance: number;
  dueDate: string;
  annulled: boolean;
  clientId: number;
  clientName: string;
  documentType: string;
  documentNumber: string;
}

interface TrayProps {
  filters: OrderFilters;
  query: Record<string, string>;
  /** Active staff, for the supervisor and advisor filters. */
  staff: { id: number; name: string; role: string }[];
  products: string[];
  items: OrderRow[];
  count: number;
  capped: boolean;
  pageSize: number;
  today: IsoDate;
  /** The one client the tray is narrowed to (from a client's statement), if any. */
  client?: { id: number; name: string; documentType: string; documentNumber: string } | undefined;
}

function withQuery(query: Record<string, string>, changes: Record<string, string | null>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...query, ...changes })) if (v) params.set(k, v);
  const s = params.toString();
  return s ? `/app/orders?${s}` : '/app/orders';
}

export function OrdersTray(props: TrayProps) {
  const { t, can } = useView();
  const f = props.filters;
  return (
    <>
      <div class="page-header">
        <h1>{t('orders.title')}</h1>
      </div>
      <form method="get" action="/app/orders" id="orders-filters" class="panel filters" role="search" hx-get="/app/orders" hx-target="#orders-results" hx-push-url="true" hx-trigger={filterTrigger('orders-filters')}>
        <Field name="q" type="search" label={t('orders.filter.client')} value={f.q} hint={t('orders.filter.clientHint')} />
        <Select name="product" label={t('orders.product')} value={f.product} blank={t('common.all')} options={props.products.map((p) => ({ value: p, label: p }))} />
        <Select name="status" label={t('orders.status')} value={f.status ?? ''} blank={t('common.all')} options={orderStatuses.map((s) => ({ value: s, label: t(`orders.status.${s}`) }))} />
        <Field name="dueFrom" type="date" label={t('orders.filter.dueFrom')} value={f.dueFrom} />
        <Field name="dueTo" type="date" label={t('orders.filter.dueTo')} value={f.dueTo} />
        <Field name="amountMin" inputmode="decimal" label={t('orders.filter.amountMin')} value={f.amountsSwapped ? props.query.amountMax : props.query.amountMin} />
        <Field name="amountMax" inputmode="decimal" label={t('orders.filter.amountMax')} value={f.amountsSwapped ? props.query.amountMin : props.query.amountMax} />
        <Select name="supervisor" label={t('clients.field.supervisor')} value={f.supervisor ? String(f.supervisor) : ''} blank={t('common.all')} options={props.staff.filter((s) => s.role !== 'advisor').map((s) => ({ value: String(s.id), label: s.name }))} />
        <Select name="advisor" label={t('clients.field.advisor')} value={f.advisor ? String(f.advisor) : ''} blank={t('common.all')} options={props.staff.map((s) => ({ value: String(s.id), label: s.name }))} />
        <Select name="sort" label={t('orders.sort')} value={f.sort} options={orderSorts.map((s) => ({ value: s, label: t(`orders.sort.${s}`) }))} />
        {/* A filter like the others: shown, and taken off by unticking it. */}
        {f.client && (
          <div class="checkbox">
            <input type="checkbox" id="f-client" name="client" value={String(f.client)} checked />
            <label for="f-client">{props.client ? t('orders.filter.onlyClient', { name: props.client.name, document: `${props.client.documentType} ${props.client.documentNumber}` }) : t('orders.filter.onlyClientGone')}</label>
          </div>
        )}
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('common.filter')}
          </button>
          <a href="/app/orders">{t('common.clear')}</a>
          {can('clients.edit') && f.client && <a href={`/app/orders/new?client=${f.client}`}>{t('orders.new')}</a>}
        </div>
      </form>
      <ResultsStatus id="orders-status" />
      <div id="orders-results">
        <OrdersResults {...props} />
      </div>
    </>
  );
}

/** What an htmx filter or page gets: the results, and their count for screen readers. */
export function OrdersFragment(props: TrayProps) {
  return (
    <>
      <OrdersResults {...props} />
      <ResultsStatus id="orders-status" total={{ count: props.count, capped: props.capped }} oob />
    </>
  );
}

export function OrdersResults(props: TrayProps) {
  const { t, money, date, number, can } = useView();
  const pages = Math.max(1, Math.ceil(props.count / props.pageSize));
  const page = props.filters.page;
  const previous = previousPage(page, { count: props.count, capped: props.capped, pageSize: props.pageSize });
  return (
    <>
      <div class="toolbar results-toolbar">
        <p>{props.capped ? t('common.resultsCapped', { count: number(props.count) }) : t('common.results', { count: number(props.count) })}</p>
        {/* "Descargar" exports these filters; it sits in the swapped part so it follows them. */}
        {can('reports.download') && <DownloadForm kind="orders" query={props.query} />}
      </div>
      {props.filters.unread.map((u) => (
        <p class="notice" role="alert">
          {t('orders.filter.notApplied', { filter: t(`orders.filter.${u.field}`), value: u.value })} {translateMessage(t, u.reason)}
        </p>
      ))}
      {props.items.length === 0 && props.count > 0 ? (
        <PastLastPage total={{ count: props.count, capped: props.capped, pageSize: props.pageSize }} firstPage={withQuery(props.query, { page: null })} />
      ) : props.items.length === 0 ? (
        <p>{t('common.noResults')}</p>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t('orders.paymentCode')}</th>
                <th scope="col">{t('orders.client')}</th>
                <th scope="col">{t('orders.product')}</th>
                <th scope="col" class="num">{t('orders.amount')}</th>
                <th scope="col" class="num">{t('orders.balance')}</th>
                <th scope="col">{t('orders.dueDate')}</th>
                <th scope="col">{t('orders.status')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {props.items.map((o) => {
                const status = orderStatusOf(o, props.today);
                return (
                  <tr>
                    <td>{o.paymentCode}</td>
                    <td>
                      <a href={`/app/clients/${o.clientId}/statement`}>{o.clientName}</a>
                      <br />
                      <span class="hint">
                        {o.documentType} {o.documentNumber}
                      </span>
                    </td>
                    <td>{o.product ?? t('common.none')}</td>
                    <td class="num">{money(o.amount)}</td>
                    {/* An annulled order owes nothing: no balance is shown for it. */}
                    <td class="num">{o.annulled ? money(null) : <Balance minor={o.balance} />}</td>
                    <td>{date(o.dueDate)}</td>
                    <td>
                      <span class={statusBadge[status]}>{t(`orders.status.${status}`)}</span>
                    </td>
                    <td class="actions">
                      <a href={`/app/clients/${o.clientId}/statement`}>{t('statement.title')}</a>
                      {can('clients.edit') && <a href={`/app/orders/${o.id}/edit`}>{t('common.edit')}</a>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label={t('orders.pages')}>
        <PageStep rel="prev" href={previous === null ? null : withQuery(props.query, { page: previous > 1 ? String(previous) : null })} />
        <span>{t('common.page', { page })}</span>
        <PageStep rel="next" href={(page < pages || props.capped) && props.items.length === props.pageSize ? withQuery(props.query, { page: String(page + 1) }) : null} />
      </nav>
    </>
  );
}

export type OrderFormValues = Record<string, string | boolean | undefined>;

export function OrderForm(props: {
  orderId?: number;
  client: { id: number; name: string; documentType: string; documentNumber: string };
  values: OrderFormValues;
  errors?: FieldErrors;
  annulled?: boolean;
}) {
  const { t } = useView();
  const v = props.values;
  const text = (key: string) => (typeof v[key] === 'string' ? (v[key] as string) : undefined);
  const back = `/app/clients/${props.client.id}/statement`;
  return (
    <>
      <h1>{t(props.orderId ? 'orders.edit' : 'orders.new')}</h1>
      <p>
        {t('orders.client')}: <a href={back}>{props.client.name}</a> ({props.client.documentType} {props.client.documentNumber})
      </p>
      <ErrorSummary errors={props.errors} />
      <PostForm action={props.orderId ? `/app/orders/${props.orderId}` : '/app/orders'}>
        {!props.orderId && <input type="hidden" name="clientId" value={String(props.client.id)} />}
        <Field name="paymentCode" label={t('orders.paymentCode')} value={text('paymentCode')} required maxlength={64} errors={props.errors} />
        <Field name="product" label={t('orders.product')} value={text('product')} hint={t('orders.productHint')} maxlength={120} errors={props.errors} />
        <Field name="amount" label={t('orders.amount')} value={text('amount')} inputmode="decimal" required errors={props.errors} />
        <Field name="interest" label={t('orders.interest')} value={text('interest')} inputmode="decimal" errors={props.errors} />
        <Field name="discounts" label={t('orders.discounts')} value={text('discounts')} inputmode="decimal" errors={props.errors} />
        <Field name="issueDate" type="date" label={t('orders.issueDate')} value={text('issueDate')} required errors={props.errors} />
        <Field name="dueDate" type="date" label={t('orders.dueDate')} value={text('dueDate')} required errors={props.errors} />
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('common.save')}
          </button>
          <a href={back}>{t('common.cancel')}</a>
        </div>
      </PostForm>
      {props.orderId && (
        <div class="panel">
          {props.annulled ? (
            <>
              <p>{t('orders.annulledNote')}</p>
              <ConfirmedAction action={`/app/orders/${props.orderId}/reactivation`} label={t('orders.reactivate')} hint={t('orders.reactivateHint')} confirm={t('orders.reactivateConfirm')} />
            </>
          ) : (
            <ConfirmedAction action={`/app/orders/${props.orderId}/annulment`} label={t('orders.annul')} hint={t('orders.annulHint')} confirm={t('orders.annulConfirm')} />
          )}
        </div>
      )}
    </>
  );
}

/** An order's balance; paid beyond it (where the tenant allows overpayment) it is a credit, said in words. */
export function Balance({ minor }: { minor: number }) {
  const { t, money } = useView();
  if (minor >= 0) return <>{money(minor)}</>;
  return (
    <span class="credit">
      {t('statement.credit')} {money(-minor)}
    </span>
  );
}
