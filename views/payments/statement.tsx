import type { Statement } from '../../src/payments/queries.js';
import { paymentMethods, paymentTransitions, transitionPaths, type FinalPaymentState } from '../../src/payments/service.js';
import type { PaymentState } from '../../src/payments/schema.js';
import { ChoiceGroup, ConfirmedAction, ErrorSummary, Field, PostForm, Select, SummaryBox, useMessage, type FieldErrors } from '../components/forms.js';
import { DataTable } from '../components/table.js';
import { useView } from '../context.js';
import { Balance, statusBadge } from '../payment-orders/orders.js';

const paymentBadge: Record<PaymentState, string> = {
  por_verificar: 'badge badge-warn',
  verificado: 'badge badge-ok',
  no_verificado: 'badge badge-danger',
  anulado: 'badge badge-muted',
};
/** A promise's state as a badge: kept, broken or pending (promises on orders and in campaigns alike). */
export const promiseBadge = { kept: 'badge badge-ok', broken: 'badge badge-danger', pending: 'badge badge-warn' } as const;

export interface StatementProps {
  client: { id: number; name: string; email?: string | null; documentType: string; documentNumber: string; deletedAt?: Date | null };
  statement: Statement;
  today: string;
  paymentValues?: Record<string, string | string[]>;
  paymentErrors?: FieldErrors | undefined;
  promiseValues?: Record<string, string | string[]>;
  promiseErrors?: FieldErrors | undefined;
}

export function StatementPage(props: StatementProps) {
  const { t, money, date, can } = useView();
  const s = props.statement;
  // A deleted client's statement is kept to be read: nothing is registered on it until it is restored.
  const deleted = Boolean(props.client.deletedAt);
  const editable = can('clients.edit') && !deleted;
  return (
    <>
      <div class="page-header">
        <h1>{t('statement.titleOf', { name: props.client.name })}</h1>
        <div class="toolbar">
          {!deleted && <a href={`/app/orders?client=${props.client.id}`}>{t('statement.ordersOf')}</a>}
          {!deleted &&
            (props.client.email ? (
              <PostForm action={`/app/clients/${props.client.id}/statement/link`} class="inline" once>
                <button type="submit" title={t('statement.link.sendHint', { email: props.client.email })}>
                  {t('statement.link.send')}
                </button>
              </PostForm>
            ) : (
              <span class="hint">{t('statement.link.noEmail')}</span>
            ))}
          {editable && (
            <a class="button primary" href={`/app/orders/new?client=${props.client.id}`}>
              {t('orders.new')}
            </a>
          )}
        </div>
      </div>
      <p class="hint">
        {props.client.documentType} {props.client.documentNumber}
      </p>
      {deleted && (
        <p class="panel deleted-notice" role="status">
          {t('statement.deleted')} <a href={`/app/clients/${props.client.id}`}>{t('statement.deletedRestore')}</a>
        </p>
      )}
      <dl class="totals panel" id="statement-totals">
        <div>
          <dt>{t('statement.totalBalance')}</dt>
          <dd data-total="balance">
            <Balance minor={s.totalBalance} />
          </dd>
        </div>
        <div>
          <dt>{t('statement.totalOverdue')}</dt>
          <dd data-total="overdue">{money(s.totalOverdue)}</dd>
        </div>
        <div>
          <dt>{t('statement.oldestOverdue')}</dt>
          <dd>{date(s.oldestOverdueDueDate)}</dd>
        </div>
      </dl>
      {s.groups.length === 0 && <p>{t('statement.noOrders')}</p>}
      {s.groups.map((group) => (
        <section class="statement-group">
          <h2>{group.product ?? t('statement.noProduct')}</h2>
          <DataTable
            rows={group.orders}
            columns={[
              { heading: t('orders.paymentCode'), cell: (o) => o.paymentCode },
              { heading: t('orders.dueDate'), cell: (o) => date(o.dueDate) },
              { heading: t('orders.amount'), kind: 'num', cell: (o) => money(o.amount) },
              { heading: t('orders.interest'), kind: 'num', cell: (o) => money(o.interest) },
              { heading: t('orders.discounts'), kind: 'num', cell: (o) => money(o.discounts) },
              { heading: t('orders.paid'), kind: 'num', cell: (o) => money(o.paid) },
              { heading: t('orders.balance'), kind: 'num', cell: (o) => (o.annulled ? money(null) : <Balance minor={o.balance} />) },
              { heading: t('orders.status'), cell: (o) => <span class={statusBadge[o.status]}>{t(`orders.status.${o.status}`)}</span> },
              editable && { heading: t('common.actions'), kind: 'actions', cell: (o) => <a href={`/app/orders/${o.id}/edit`}>{t('common.edit')}</a> },
            ]}
            foot={
              <tr>
                <th scope="row" colspan={6}>
                  {t('statement.groupBalance')}
                </th>
                <td class="num">
                  <Balance minor={group.balance} />
                </td>
                <td colspan={editable ? 2 : 1}></td>
              </tr>
            }
          />
        </section>
      ))}

      <section id="payments">
        <h2>{t('payments.title')}</h2>
        {s.payments.length === 0 ? (
          <p>{t('payments.none')}</p>
        ) : (
          <DataTable
            rows={s.payments}
            columns={[
              { heading: t('payments.paidOn'), cell: (p) => date(p.paidOn) },
              { heading: t('payments.amount'), kind: 'num', cell: (p) => money(p.amount) },
              { heading: t('payments.method'), cell: (p) => t(`payments.method.${p.method as (typeof paymentMethods)[number]}`) },
              {
                heading: t('payments.reference'),
                kind: 'text',
                cell: (p) => (
                  <>
                    {p.reference ?? t('common.none')}
                    {p.receiptKey && (
                      <>
                        {' · '}
                        <a href={`/app/payments/${p.id}/receipt`} target="_blank" rel="noopener">
                          {t('payments.receipt')}
                        </a>
                      </>
                    )}
                  </>
                ),
              },
              { heading: t('payments.orders'), cell: (p) => p.allocations.map((a) => `${a.paymentCode} (${money(a.amount)})`).join(', ') },
              { heading: t('payments.state'), cell: (p) => <span class={paymentBadge[p.state]}>{t(`payments.state.${p.state}`)}</span> },
              editable && {
                heading: t('common.actions'),
                kind: 'actions',
                cell: (p) =>
                  paymentTransitions[p.state].map((to) => {
                    const action = `/app/payments/${p.id}/${transitionPaths[to as keyof typeof transitionPaths]}`;
                    const label = t(`payments.action.${to as keyof typeof transitionPaths}`);
                    return to === 'verificado' ? (
                      <PostForm action={action} class="state-action">
                        <button type="submit" class="primary">
                          {label}
                        </button>
                      </PostForm>
                    ) : (
                      <ConfirmedAction action={action} label={label} hint={t(`payments.confirm.${to as FinalPaymentState}`)} confirm={t(`payments.confirmButton.${to as FinalPaymentState}`)} class="state-action" />
                    );
                  }),
              },
            ]}
          />
        )}
      </section>

      <section id="promises">
        <h2>{t('promises.title')}</h2>
        {s.promises.length === 0 ? (
          <p>{t('promises.none')}</p>
        ) : (
          <DataTable
            rows={s.promises}
            columns={[
              { heading: t('promises.madeOn'), cell: (p) => date(p.madeOn) },
              { heading: t('promises.promisedDate'), cell: (p) => date(p.promisedDate) },
              { heading: t('promises.amount'), kind: 'num', cell: (p) => money(p.amount) },
              { heading: t('promises.state'), cell: (p) => <span class={promiseBadge[p.state]}>{t(`promises.state.${p.state}`)}</span> },
            ]}
          />
        )}
      </section>

      {editable && <PaymentForm {...props} />}
      {/* Whoever works the client's receivables records what the debtor promised (advisors on their calls). */}
      {!deleted && <PromiseForm {...props} />}
    </>
  );
}

/**
 * A payment refused when nothing is left to pay on this page (its orders were annulled or
 * paid in another tab meanwhile): the form is gone, so the refusal says why on its own.
 */
function PaymentRefused({ errors }: { errors: FieldErrors }) {
  const { t } = useView();
  const message = useMessage();
  return (
    <section id="register-payment" class="panel">
      <h2>{t('payments.register')}</h2>
      {/* No field is left to lead to: the lines say why, unlinked. */}
      <SummaryBox id="error-summary" intro={t('payments.notRegistered')}>
        {Object.values(errors).map((error) => (
          <li>{message(error)}</li>
        ))}
      </SummaryBox>
    </section>
  );
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function PaymentForm(props: StatementProps) {
  const { t, money, date } = useView();
  const values = props.paymentValues ?? {};
  const owing = props.statement.payable.filter((o) => o.balance > 0);
  // A fresh form for a client with one order owing has it ticked: there is nothing to choose.
  const chosen = new Set(props.paymentValues ? [values.orders ?? []].flat() : owing.length === 1 ? [String(owing[0]!.id)] : []);
  const payable = props.statement.payable.filter((o) => o.balance > 0 || chosen.has(String(o.id)));
  if (payable.length === 0) return props.paymentErrors ? <PaymentRefused errors={props.paymentErrors} /> : null;
  const error = props.paymentErrors?.orders;
  return (
    <section id="register-payment" class="panel">
      <h2>{t('payments.register')}</h2>
      <ErrorSummary errors={props.paymentErrors} labels={Object.fromEntries(payable.map((o) => [`alloc_${o.id}`, t('payments.allocationFor', { code: o.paymentCode })]))} />
      <PostForm action={`/app/clients/${props.client.id}/statement/payments`} once>
        <ChoiceGroup id="f-orders" legend={t('payments.chooseOrders')} error={error ? 'receivables.payments.ordersRequired' : undefined}>
          <p class="hint">{t('payments.allocationHint')}</p>
          {payable.map((o) => (
            <div class="allocation">
              <div class="checkbox">
                <input type="checkbox" id={`f-orders-${o.id}`} name="orders" value={String(o.id)} checked={chosen.has(String(o.id))} />
                <label for={`f-orders-${o.id}`}>
                  {o.paymentCode} · {o.product ?? t('statement.noProduct')} · {date(o.dueDate)} · {t('orders.balance')} {money(o.balance)}
                </label>
              </div>
              <Field name={`alloc_${o.id}`} label={t('payments.allocationFor', { code: o.paymentCode })} value={one(values[`alloc_${o.id}`])} inputmode="decimal" errors={props.paymentErrors} />
            </div>
          ))}
        </ChoiceGroup>
        <Field name="amount" label={t('payments.amount')} value={one(values.amount)} inputmode="decimal" required errors={props.paymentErrors} />
        <Field name="paidOn" type="date" label={t('payments.paidOn')} value={one(values.paidOn) ?? props.today} required errors={props.paymentErrors} />
        <Select name="method" label={t('payments.method')} value={one(values.method) ?? 'transferencia'} options={paymentMethods.map((m) => ({ value: m, label: t(`payments.method.${m}`) }))} errors={props.paymentErrors} />
        <Field name="reference" label={t('payments.reference')} value={one(values.reference)} maxlength={120} errors={props.paymentErrors} />
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('payments.register')}
          </button>
        </div>
      </PostForm>
    </section>
  );
}

function PromiseForm(props: StatementProps) {
  const { t } = useView();
  const values = props.promiseValues ?? {};
  // A client who owes nothing has nothing to promise (a refused form still shows why).
  if (props.statement.totalBalance <= 0 && !props.promiseErrors) return null;
  return (
    <section id="make-promise" class="panel">
      <h2>{t('promises.make')}</h2>
      <ErrorSummary errors={props.promiseErrors} />
      <PostForm action={`/app/clients/${props.client.id}/statement/promises`} once>
        <Field name="promiseAmount" label={t('promises.amount')} value={one(values.promiseAmount)} inputmode="decimal" required errors={props.promiseErrors} />
        <Field name="promisedDate" type="date" label={t('promises.promisedDate')} value={one(values.promisedDate)} required min={props.today} errors={props.promiseErrors} />
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('promises.make')}
          </button>
        </div>
      </PostForm>
    </section>
  );
}
