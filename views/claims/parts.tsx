import type { ClaimableOrder } from '../../src/claims/queries.js';
import { claimCategories, type ClaimCategory } from '../../src/claims/schema.js';
import type { OpenClaimRef } from '../../src/claims/service.js';
import type { Translate } from '../../src/platform/i18n/index.js';
import { ChoiceGroup, Select, TextArea, useMessage, type FieldErrors } from '../components/forms.js';
import { useView } from '../context.js';

export const categoryLabel = (t: Translate, category: ClaimCategory) => t(`claims.category.${category}`);

/** The open claims that stopped an opening, as the message names them: "#12 Errores de facturación, #13 …". */
export function claimRefs(t: Translate, refs: readonly OpenClaimRef[]): string {
  return refs.map((r) => t('claims.ref', { id: r.id, category: categoryLabel(t, r.category) })).join(', ');
}

/** A refusal's messages as text; the two-open rule's names the open claims. */
export function failureMessages(t: Translate, failure: { errors: Record<string, string>; openClaims?: OpenClaimRef[] }): FieldErrors {
  if (!failure.openClaims) return failure.errors;
  const claims = claimRefs(t, failure.openClaims);
  return Object.fromEntries(Object.entries(failure.errors).map(([field, key]) => [field, `${key}?claims=${encodeURIComponent(claims)}`]));
}

export function duration(t: Translate, seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return t('claims.duration.minutes', { minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('claims.duration.hours', { hours, minutes: minutes % 60 });
  return t('claims.duration.days', { days: Math.floor(hours / 24), hours: hours % 24 });
}

export function StateBadge({ state }: { state: 'abierto' | 'cerrado' }) {
  const { t } = useView();
  return <span class={`badge ${state === 'abierto' ? 'badge-warn' : 'badge-muted'}`}>{t(`claims.state.${state}`)}</span>;
}

export function AlertBadges({ alerts }: { alerts: string[] }) {
  if (alerts.length === 0) return null;
  return (
    <span class="claim-alerts">
      {alerts.map((a) => (
        <span class="badge badge-danger">{a}</span>
      ))}
    </span>
  );
}

function FieldError({ id, error }: { id: string; error: string | undefined }) {
  const message = useMessage();
  if (!error) return null;
  return (
    <p class="error" id={`${id}-error`}>
      {message(error)}
    </p>
  );
}

/**
 * The claim's editable fields. `prefix` keeps element ids unique when several rows of the
 * tray are being edited at once; the pages use `f`, which the error summary links to.
 */
export function ClaimFields(props: {
  prefix: string;
  values: { category?: string; description?: string; comments?: string | null; orderIds: string[] };
  orders: ClaimableOrder[];
  errors: FieldErrors | undefined;
  closed: boolean;
  storedComments?: string | null;
  /** The inline editor focuses its first field, as the pressed "Editar" is gone. */
  autofocus?: boolean;
}) {
  const { t, can, money, date } = useView();
  const { prefix, values, errors } = props;
  const id = (name: string) => `${prefix}-${name}`;
  const seeAmounts = can('receivables');
  return (
    <>
      <Select id={id('category')} name="category" label={t('claims.category')} value={values.category} blank="" options={claimCategories.map((c) => ({ value: c, label: categoryLabel(t, c) }))} errors={errors} autofocus={props.autofocus} />
      <ChoiceGroup id={id('orderIds')} legend={t('claims.orders')} error={errors?.orderIds}>
        {props.orders.length === 0 && <p class="hint">{t('claims.noOrders')}</p>}
        {props.orders.map((o) => (
          <div class="checkbox">
            <input type="checkbox" id={id(`order-${o.id}`)} name="orderIds" value={String(o.id)} checked={values.orderIds.includes(String(o.id))} />
            <label for={id(`order-${o.id}`)}>
              {o.paymentCode}
              <span class="hint">
                {' '}
                {[o.product, t('claims.orderDue', { date: date(o.dueDate) }), seeAmounts ? t('claims.orderBalance', { amount: money(o.balance) }) : null, o.annulled ? t('claims.orderAnnulled') : null]
                  .filter(Boolean)
                  .join(' · ')}
              </span>
            </label>
          </div>
        ))}
      </ChoiceGroup>
      <TextArea id={id('description')} name="description" label={t('claims.description')} value={values.description} maxlength={4000} errors={errors} />
      {props.closed ? (
        <div class={`field${errors?.comments ? ' field-error' : ''}`}>
          <p class="hint">{t('claims.closedEditHint')}</p>
          <FieldError id={id('comments')} error={errors?.comments} />
          <p class="claim-comments">
            <strong>{t('claims.comments')}:</strong> {props.storedComments ?? '—'}
          </p>
        </div>
      ) : (
        <TextArea id={id('comments')} name="comments" label={t('claims.comments')} value={values.comments} maxlength={4000} errors={errors} />
      )}
    </>
  );
}

/** Form values as the fields want them, from what was posted or what is stored. */
export function formClaimValues(values: Record<string, string | string[]>) {
  const ids = values.orderIds;
  const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return {
    category: str(values.category) ?? '',
    description: str(values.description) ?? '',
    comments: str(values.comments) ?? '',
    orderIds: Array.isArray(ids) ? ids : ids ? [ids] : [],
  };
}
