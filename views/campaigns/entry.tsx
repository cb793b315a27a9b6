import type { DocumentType } from '../../src/clients/fields.js';
import { offerOf } from '../../src/campaigns/compute.js';
import type { CampaignRow } from '../../src/campaigns/queries.js';
import type { CampaignPayment } from '../../src/campaigns/schema.js';
import type { ClientEvent } from '../../src/events/schema.js';
import type { IsoDate } from '../../src/platform/dates.js';
import type { MessageKey } from '../../src/platform/i18n/index.js';
import { isMessageKey } from '../../src/platform/i18n/index.js';
import { paymentTransitions, transitionPaths, type FinalPaymentState } from '../../src/payments/service.js';
import { ConfirmedAction, ErrorSummary, Field, PostForm, Select, type FieldErrors } from '../components/forms.js';
import { DataTable } from '../components/table.js';
import type { Countdown } from '../../src/portal/recovery.js';
import type { PromiseState } from '../../src/payments/promises.js';
import { promiseBadge } from '../payments/statement.js';
import { useView } from '../context.js';
import { discountText, StateBadge } from './tray.js';

const transitionLabels = { verificado: 'campaignPayment.verify', no_verificado: 'campaignPayment.reject', anulado: 'campaignPayment.annul' } as const;

export function CampaignEntryForm(props: { values: Record<string, string | undefined>; errors?: FieldErrors; documentTypes: DocumentType[] }) {
  const { t } = useView();
  const v = props.values;
  return (
    <>
      <h1>{t('campaigns.new')}</h1>
      <ErrorSummary errors={props.errors} />
      <PostForm action="/app/campaigns">
        <Select name="documentType" label={t('campaigns.documentType')} value={v.documentType ?? props.documentTypes[0]?.code} options={props.documentTypes.map((d) => ({ value: d.code, label: d.label }))} errors={props.errors} />
        <Field name="documentNumber" label={t('campaigns.documentNumber')} value={v.documentNumber} required errors={props.errors} inputmode="text" />
        <Field name="name" label={t('campaigns.name')} value={v.name} errors={props.errors} />
        <Field name="email" type="email" label={t('campaigns.email')} value={v.email} errors={props.errors} />
        <Field name="phone" type="tel" label={t('campaigns.phone')} value={v.phone} errors={props.errors} />
        <Field name="campaignCode" label={t('campaigns.campaignCode')} value={v.campaignCode} required errors={props.errors} />
        <Field name="debtAmount" label={t('campaigns.debtAmount')} value={v.debtAmount} required errors={props.errors} inputmode="decimal" />
        <Select
          name="discountType"
          label={t('campaigns.discountType')}
          value={v.discountType ?? 'porcentaje'}
          options={[
            { value: 'porcentaje', label: t('campaigns.discountType.porcentaje') },
            { value: 'monto', label: t('campaigns.discountType.monto') },
          ]}
          errors={props.errors}
        />
        <Field name="discountValue" label={t('campaigns.discountValue')} hint={t('campaigns.discountValueHint')} value={v.discountValue} required errors={props.errors} inputmode="decimal" />
        <Field name="endDate" type="date" label={t('campaigns.endDate')} hint={t('campaigns.endDateHint')} value={v.endDate} errors={props.errors} />
        <Field name="paymentCode" label={t('campaigns.paymentCode')} hint={t('campaigns.paymentCodeHint')} value={v.paymentCode} errors={props.errors} />
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('common.save')}
          </button>
          <a href="/app/campaigns">{t('common.cancel')}</a>
        </div>
      </PostForm>
    </>
  );
}

interface DetailProps {
  row: CampaignRow;
  payments: CampaignPayment[];
  promises: { id: number; amount: number; promisedDate: string; madeOn: string; state: PromiseState }[];
  events: { event: ClientEvent; actorName: string | null }[];
  today: IsoDate;
  /** The debtor's /recovery countdown, once it has begun (null without one). */
  countdown: Countdown | null;
  /** The countdown ran out after a receipt was sent: /recovery keeps the offer until it is verified. */
  heldForReceipt?: boolean;
  canEdit: boolean;
  errors?: FieldErrors;
  values?: Record<string, string | undefined>;
}

export function CampaignEntryDetail(props: DetailProps) {
  const { t, money, date, dateTime } = useView();
  const entry = props.row.entry;
  const offer = offerOf(entry, props.today);
  const v = props.values ?? {};
  const label = (type: string) => {
    const key = `events.${type}`;
    return isMessageKey(key) ? t(key as MessageKey) : type;
  };
  return (
    <>
      <div class="page-header">
        <h1>{t('campaigns.detail', { campaign: entry.campaignCode })}</h1>
        <StateBadge state={offer.state} />
      </div>
      <p>
        <a href={`/app/clients/${entry.clientId}`}>{props.row.clientName}</a> · {props.row.documentType} {props.row.documentNumber}{' '}
        <span class="badge badge-danger">{t('campaigns.label')}</span>
      </p>
      <dl class="stats">
        <div>
          <dt>{t('campaigns.debtAmount')}</dt>
          <dd>{offer.discountAmount ? <s>{money(offer.debt)}</s> : money(offer.debt)}</dd>
        </div>
        {offer.discountPercent !== null && (
          <div>
            <dt>{t('campaigns.discount')}</dt>
            <dd>
              {discountText(entry.discountType, offer, money) ?? t('campaigns.noDiscount')}
            </dd>
          </div>
        )}
        {offer.campaignAmount !== null && (
          <div>
            <dt>{t('campaigns.campaignAmount')}</dt>
            <dd>{money(offer.campaignAmount)}</dd>
          </div>
        )}
        <div>
          <dt>{t('campaigns.paid')}</dt>
          <dd>{money(offer.paid)}</dd>
        </div>
        <div>
          <dt>{offer.state === 2 ? t('campaigns.owed') : t('campaigns.totalDue')}</dt>
          <dd>{money(offer.owed)}</dd>
        </div>
        {offer.credit > 0 && (
          <div>
            <dt>{t('statement.credit')}</dt>
            <dd>{money(offer.credit)}</dd>
          </div>
        )}
        <div>
          <dt>{t('campaigns.endDate')}</dt>
          <dd>{entry.endDate ? date(entry.endDate) : t('campaigns.openEnded')}</dd>
        </div>
        {entry.paymentCode && (
          <div>
            <dt>{t('campaigns.paymentCode')}</dt>
            <dd>{entry.paymentCode}</dd>
          </div>
        )}
      </dl>
      {props.countdown && (
        <p class={props.countdown.expired ? 'notice' : 'hint'}>
          {props.countdown.expired
            ? t(props.heldForReceipt ? 'campaigns.countdown.held' : 'campaigns.countdown.expired', { at: dateTime(props.countdown.shownUntil) })
            : t('campaigns.countdown.running', { at: dateTime(props.countdown.shownUntil) })}
        </p>
      )}
      <p class="hint">{t('campaigns.originalCreditUntouched')}</p>
      <ErrorSummary errors={props.errors} />

      <section class="panel">
        <h2>{t('campaigns.payments')}</h2>
        {props.payments.length === 0 ? (
          <p>{t('campaigns.noPayments')}</p>
        ) : (
          <DataTable
            rows={props.payments}
            columns={[
              { heading: t('campaignPayment.paidOn'), cell: (p) => date(p.paidOn) },
              { heading: t('campaignPayment.amount'), kind: 'num', cell: (p) => money(p.amount) },
              {
                heading: t('campaignPayment.method'),
                cell: (p) => {
                  const key = `payments.method.${p.method}`;
                  return isMessageKey(key) ? t(key) : p.method;
                },
              },
              {
                heading: t('campaignPayment.reference'),
                kind: 'text',
                cell: (p) => (
                  <>
                    {p.reference ?? '—'}
                    {p.receiptKey && (
                      <>
                        {' · '}
                        <a href={`/app/campaigns/payments/${p.id}/receipt`} target="_blank" rel="noopener">
                          {t('payments.receipt')}
                        </a>
                      </>
                    )}
                  </>
                ),
              },
              { heading: t('campaigns.state'), cell: (p) => t(`campaignPayment.state.${p.state}`) },
              props.canEdit && {
                heading: t('common.actions'),
                kind: 'actions',
                cell: (p) =>
                  paymentTransitions[p.state].map((to) => {
                    const action = `/app/campaign-payments/${p.id}/${transitionPaths[to as keyof typeof transitionPaths]}`;
                    const label = t(transitionLabels[to as keyof typeof transitionLabels]);
                    return to === 'verificado' ? (
                      <PostForm action={action} class="inline-action">
                        <button type="submit">{label}</button>
                      </PostForm>
                    ) : (
                      <ConfirmedAction action={action} label={label} hint={t(`payments.confirm.${to as FinalPaymentState}`)} confirm={t(`payments.confirmButton.${to as FinalPaymentState}`)} class="inline-action" />
                    );
                  }),
              },
            ]}
          />
        )}
        {props.canEdit && offer.state === 0 && (
          <PostForm action={`/app/campaigns/${entry.id}/payments`} class="inline" once>
            <Field name="amount" label={t('campaignPayment.amount')} value={v.amount} inputmode="decimal" errors={props.errors} />
            <Field name="paidOn" type="date" label={t('campaignPayment.paidOn')} value={v.paidOn ?? props.today} errors={props.errors} />
            <Field name="method" label={t('campaignPayment.method')} value={v.method} errors={props.errors} />
            <Field name="reference" label={t('campaignPayment.reference')} value={v.reference} errors={props.errors} />
            <button type="submit" class="primary">
              {t('campaigns.registerPayment')}
            </button>
          </PostForm>
        )}
      </section>

      <section class="panel">
        <h2>{t('campaigns.promises')}</h2>
        {props.promises.length === 0 ? (
          <p>{t('campaigns.noPromises')}</p>
        ) : (
          <ul>
            {props.promises.map((p) => (
              <li>
                {money(p.amount)} · {date(p.promisedDate)} <span class={promiseBadge[p.state]}>{t(`promises.state.${p.state}`)}</span>
              </li>
            ))}
          </ul>
        )}
        {offer.state === 0 && (
          <PostForm action={`/app/campaigns/${entry.id}/promises`} class="inline" once>
            <Field name="promiseAmount" label={t('campaignPayment.amount')} value={v.promiseAmount} inputmode="decimal" errors={props.errors} />
            <Field name="promisedDate" type="date" label={t('campaignPromise.date')} value={v.promisedDate} errors={props.errors} />
            <button type="submit">{t('campaigns.makePromise')}</button>
          </PostForm>
        )}
      </section>

      <section class="panel">
        <h2>{t('campaigns.events')}</h2>
        <ul class="timeline">
          {props.events.map(({ event, actorName }) => (
            <li>
              <strong>{label(event.type)}</strong> · {dateTime(event.occurredAt)}
              {actorName && ` · ${actorName}`}
              {typeof event.data.amount === 'number' && ` · ${money(event.data.amount)}`}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

