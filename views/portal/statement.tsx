import { addDays } from '../../src/platform/dates.js';
import { owedLater, type Statement } from '../../src/payments/queries.js';
import type { ChargedOffDebt } from '../../src/portal/service.js';
import type { PortalSettings } from '../../src/portal/schema.js';
import { ErrorSummary, Field, FileInput, PostForm, Select, useMessage, type FieldErrors } from '../components/forms.js';
import { RECEIPT_MAX_BYTES, tooLargeMessage } from '../../src/portal/files.js';
import type { DebtorClaimRow } from '../../src/portal/claims.js';
import { useView } from '../context.js';
import { DebtorClaims } from './claim.js';

export interface StatementPageProps {
  clientName: string;
  statement: Statement;
  settings: PortalSettings;
  payOnline: boolean;
  today: string;
  promiseMax: string;
  receipt?: { values: Record<string, string>; errors: FieldErrors };
  promise?: { values: Record<string, string>; errors: FieldErrors };
  /** The debtor's charged-off debt not yet paid (a campaign finished, or its offer gone for them). */
  chargedOff?: ChargedOffDebt | null;
  /** "Habla con un asesor" on WhatsApp, when the tenant gave a number. */
  advisorWhatsapp?: string | null;
  /** The debtor's claims (open, or resolved lately), and whether they have orders to raise one about. */
  claims?: DebtorClaimRow[];
  canRaiseClaim?: boolean;
}

/** A charged-off debt on the statement: what it was, what was paid, what is owed, and whom to talk to. */
function ChargedOff({ debt, whatsapp, withOrders }: { debt: ChargedOffDebt; whatsapp: string | null; withOrders: boolean }) {
  const { t, money } = useView();
  const { offer } = debt;
  return (
    <section class="card">
      <h2>{t('portal.chargedOff.title')}</h2>
      <p>{t('portal.chargedOff.campaign', { code: debt.campaignCode })}</p>
      <dl class="rows">
        <div class="row">
          <dt>{t('portal.chargedOff.debt')}</dt>
          <dd>{money(offer.debt)}</dd>
        </div>
        {offer.campaignAmount !== null && (
          <div class="row">
            <dt>{t('portal.chargedOff.campaignAmount')}</dt>
            <dd>{money(offer.campaignAmount)}</dd>
          </div>
        )}
        <div class="row">
          <dt>{t('portal.chargedOff.paid')}</dt>
          <dd>{money(offer.paid)}</dd>
        </div>
        <div class="row total">
          <dt>{offer.credit > 0 ? t('statement.credit') : t('portal.chargedOff.owed')}</dt>
          <dd>
            <strong>{money(offer.credit > 0 ? offer.credit : offer.owed)}</strong>
          </dd>
        </div>
      </dl>
      {/* With orders on the page, their payment options are this debt's too: the advisor is for another arrangement. */}
      <p>{t(withOrders ? 'portal.chargedOff.contactWithOrders' : 'portal.chargedOff.contact')}</p>
      {whatsapp && (
        <p>
          <a class="button" href={whatsapp} rel="noopener">
            {t('recovery.advisor.whatsapp')}
          </a>
        </p>
      )}
    </section>
  );
}

function Orders({ statement, payOnline, disputed, today }: Pick<StatementPageProps, 'statement' | 'payOnline' | 'today'> & { disputed: Set<string> }) {
  const { t, money, date } = useView();
  const groups = statement.groups
    .map((g) => ({ ...g, orders: g.orders.filter((o) => !o.annulled) }))
    .filter((g) => g.orders.length > 0);
  if (groups.length === 0) return <p>{t('portal.statement.noOrders')}</p>;
  return (
    <>
      {groups.map((group) => (
        <section class="card">
          <h2>{group.product ?? t('portal.statement.noProduct')}</h2>
          <ul class="orders">
            {group.orders.map((order) => (
              <li class={`order ${order.status}`}>
                <p class="row">
                  <strong>{order.paymentCode}</strong>
                  <span class={`status ${order.status}`}>{t(`portal.status.${order.status as 'pendiente' | 'vencida' | 'pagada'}`)}</span>
                </p>
                {order.issueDate > today && order.balance > 0 && <p class="hint">{t('portal.statement.issuedLater', { date: date(order.issueDate) })}</p>}
                {disputed.has(order.paymentCode) && <p class="hint">{t('portal.claims.onOrder')}</p>}
                <p class="row">
                  <span>{t(order.dueDate < today ? 'portal.statement.dueWas' : 'portal.statement.due', { date: date(order.dueDate) })}</span>
                  <span>
                    {/* Paid beyond what it owed (where the tenant allows it): a credit, said in words. */}
                    {order.balance < 0 ? t('statement.credit') : t('portal.statement.balance')} <strong>{money(Math.abs(order.balance))}</strong>
                  </span>
                </p>
                {payOnline && order.balance > 0 && order.issueDate <= today && (
                  <p>
                    <a class="button small" href={`/pago-en-linea/${order.id}`}>
                      {t('portal.statement.payOrder', { code: order.paymentCode })}
                    </a>
                  </p>
                )}
              </li>
            ))}
          </ul>
          <p class="row total">
            <span>{group.balance < 0 ? t('statement.credit') : t('portal.statement.groupTotal')}</span>
            <strong>{money(Math.abs(group.balance))}</strong>
          </p>
        </section>
      ))}
    </>
  );
}

/**
 * "Envía tu comprobante": the amount, optionally the order it pays, a reference and the file.
 * The recovery portal uses it for the campaign (no order to choose, the amount suggested).
 */
export function ReceiptForm({ action, orders, receipt, suggested }: { action: string; orders: Statement['payable'] | null; receipt: StatementPageProps['receipt']; suggested?: string }) {
  const { t, money, asset } = useView();
  const message = useMessage();
  const open = (orders ?? []).filter((o) => o.balance > 0);
  const values = receipt?.values ?? (suggested ? { amount: suggested } : {});
  return (
    <section class="card" id="comprobante">
      <h2>{t('portal.receipt.title')}</h2>
      <p>{t('portal.receipt.help')}</p>
      <ErrorSummary
        errors={receipt?.errors}
        labels={{ amount: t('portal.receipt.amount'), order: t('portal.receipt.order'), reference: t('portal.receipt.reference'), receipt: t('portal.receipt.file') }}
      />
      <PostForm action={action} enctype="multipart/form-data" once>
        <Field name="amount" label={t('portal.receipt.amount')} value={values.amount} errors={receipt?.errors} inputmode="decimal" required />
        {orders && (
          <Select
            name="order"
            label={t('portal.receipt.order')}
            value={values.order}
            blank={t('portal.receipt.allOrders')}
            options={open.map((o) => ({ value: String(o.id), label: `${o.paymentCode} · ${money(o.balance)}` }))}
            errors={receipt?.errors}
          />
        )}
        <Field name="reference" label={t('portal.receipt.reference')} value={values.reference} errors={receipt?.errors} maxlength={120} />
        <div data-max-bytes={RECEIPT_MAX_BYTES} data-too-large={message(tooLargeMessage(RECEIPT_MAX_BYTES))}>
          <FileInput name="receipt" label={t('portal.receipt.file')} hint={t('portal.receipt.fileHint')} errors={receipt?.errors} accept="image/jpeg,image/png,image/webp,application/pdf" required />
        </div>
        <button type="submit" class="button">
          {t('portal.receipt.send')}
        </button>
      </PostForm>
      <script src={asset('receipt.js')} defer></script>
    </section>
  );
}

/** A promise to pay: amount and a date between today and the tenant's limit. */
export function PromiseForm({ action, promise, today, promiseMax }: Pick<StatementPageProps, 'promise' | 'today' | 'promiseMax'> & { action: string }) {
  const { t, date } = useView();
  const values = promise?.values ?? {};
  return (
    <section class="card" id="compromiso">
      <h2>{t('portal.promise.title')}</h2>
      <p>{t('portal.promise.help', { max: date(promiseMax) })}</p>
      <ErrorSummary errors={promise?.errors} labels={{ promiseAmount: t('portal.promise.amount'), promisedDate: t('portal.promise.date') }} />
      <PostForm action={action} once>
        <Field name="promiseAmount" label={t('portal.promise.amount')} value={values.promiseAmount} errors={promise?.errors} inputmode="decimal" required />
        <Field name="promisedDate" type="date" label={t('portal.promise.date')} value={values.promisedDate} errors={promise?.errors} min={today} max={promiseMax} required />
        <button type="submit" class="button">
          {t('portal.promise.send')}
        </button>
      </PostForm>
    </section>
  );
}

export function StatementPage(props: StatementPageProps) {
  const { t, money, date } = useView();
  const { statement, settings } = props;
  const pending = statement.payments.filter((p) => p.state === 'por_verificar');
  // The debtor's own promises still to meet, the soonest first: what they must pay next.
  const promises = statement.promises.filter((p) => p.state === 'pending').sort((a, b) => a.promisedDate.localeCompare(b.promisedDate) || a.id - b.id);
  // A receipt the debtor sent that staff could not verify is said, not dropped without a word
  // (for a month after the day it reports).
  const refused = statement.payments.filter((p) => p.state === 'no_verificado' && p.source === 'portal' && p.paidOn >= addDays(props.today, -30));
  // A debtor known only from a charged-off campaign owes that debt: it is their total.
  const onlyChargedOff = props.chargedOff ? statement.groups.every((g) => g.orders.every((o) => o.annulled)) : false;
  // Orders issued after today are owed later: no payment made today reaches them.
  const later = onlyChargedOff ? 0 : owedLater(statement, props.today);
  const total = props.chargedOff && onlyChargedOff ? props.chargedOff.offer.owed : statement.totalBalance - later;
  const claims = props.claims ?? [];
  const disputed = new Set(claims.filter((c) => c.state === 'abierto').flatMap((c) => c.orderCodes));
  return (
    <>
      <section class="card summary">
        <h1>{t('portal.statement.hello', { name: props.clientName })}</h1>
        {settings.customerWelcome && <p>{settings.customerWelcome}</p>}
        <dl>
          <div>
            <dt>{t('portal.statement.total')}</dt>
            <dd class="big">{total < 0 ? `${t('statement.credit')} ${money(-total)}` : money(total)}</dd>
          </div>
          {!onlyChargedOff && (
            <div>
              <dt>{t('portal.statement.overdue')}</dt>
              <dd>{money(statement.totalOverdue)}</dd>
            </div>
          )}
          {later > 0 && (
            <div>
              <dt>{t('portal.statement.later')}</dt>
              <dd>{money(later)}</dd>
            </div>
          )}
        </dl>
        {props.payOnline && statement.totalBalance - later > 0 && (
          <p>
            <a class="button" href="/pago-en-linea/total">
              {t('portal.statement.payTotal')}
            </a>
          </p>
        )}
      </section>
      {props.chargedOff && <ChargedOff debt={props.chargedOff} whatsapp={props.advisorWhatsapp ?? null} withOrders={!onlyChargedOff} />}
      {/* A debtor known only from a campaign has no orders to list: the card above is their debt. */}
      {!onlyChargedOff && <Orders statement={statement} payOnline={props.payOnline} disputed={disputed} today={props.today} />}
      {(pending.length > 0 || promises.length > 0 || refused.length > 0) && (
        <section class="card">
          <h2>{t('portal.statement.inProgress')}</h2>
          <ul class="plain">
            {pending.map((p) => (
              <li>{t('portal.statement.pendingPayment', { amount: money(p.amount), date: date(p.paidOn) })}</li>
            ))}
            {refused.map((p) => (
              <li class="warning">{t('portal.statement.refusedPayment', { amount: money(p.amount), date: date(p.paidOn) })}</li>
            ))}
            {promises.map((p) => (
              <li>{t('portal.statement.pendingPromise', { amount: money(p.amount), date: date(p.promisedDate) })}</li>
            ))}
          </ul>
        </section>
      )}
      {(claims.length > 0 || props.canRaiseClaim) && <DebtorClaims claims={claims} canRaise={props.canRaiseClaim ?? false} />}
      <BankDetails text={settings.bankDetails} />
      {statement.totalBalance - later > 0 && <ReceiptForm action="/comprobante" orders={statement.payable.filter((o) => o.issueDate <= props.today)} receipt={props.receipt} />}
      {/* A promise refused (say the debt was paid meanwhile) still shows why, form and all. */}
      {settings.promisesEnabled && (statement.totalBalance > 0 || props.promise?.errors) && <PromiseForm action="/compromiso" promise={props.promise} today={props.today} promiseMax={props.promiseMax} />}
    </>
  );
}

/** The tenant's bank-transfer details, as they typed them. */
export function BankDetails({ text }: { text: string | null }) {
  const { t } = useView();
  if (!text) return null;
  return (
    <section class="card">
      <h2>{t('portal.bank.title')}</h2>
      <p class="pre">
        {/* Account numbers (193-1234567-0-12) stay on one line: a break at a hyphen reads as two numbers. */}
        {text.split(/(\d+(?:-\d+)+)/).map((part, i) => (i % 2 === 1 ? <span class="nowrap">{part}</span> : part))}
      </p>
    </section>
  );
}

export function LogoutButton({ action = '/salida' }: { action?: string }) {
  const { t } = useView();
  return (
    <PostForm action={action} class="logout">
      <button type="submit" class="link">
        {t('portal.logout')}
      </button>
    </PostForm>
  );
}
