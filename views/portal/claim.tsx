import type { IsoDate } from '../../src/platform/dates.js';
import { claimCategories } from '../../src/claims/schema.js';
import type { DebtorClaimRow } from '../../src/portal/claims.js';
import { ChoiceGroup, ErrorSummary, PostForm, Select, TextArea, type FieldErrors } from '../components/forms.js';
import { useView } from '../context.js';

export interface ClaimableOrder {
  id: number;
  paymentCode: string;
  product: string | null;
  dueDate: string;
  balance: number;
}

/**
 * "Presentar un reclamo": the debtor says which of their orders is wrong and what happened,
 * in their own words. Staff find it in Reclamos, and the advisor gets an alert.
 */
export function DebtorClaimForm(props: { orders: ClaimableOrder[]; today: IsoDate; values: { category?: string; description?: string; orderIds: string[] }; errors?: FieldErrors }) {
  const { t, money, date } = useView();
  const { values, errors } = props;
  return (
    <section class="card" id="reclamo">
      <h1>{t('portal.claim.title')}</h1>
      <p>{t('portal.claim.intro')}</p>
      <ErrorSummary
        errors={errors}
        labels={{ orderIds: t('portal.claim.orders'), category: t('portal.claim.category'), description: t('portal.claim.description') }}
      />
      <PostForm action="/reclamo" once>
        <ChoiceGroup id="f-orderIds" legend={t('portal.claim.orders')} error={errors?.orderIds}>
          {props.orders.map((o) => (
            <label class="choice" for={`f-order-${o.id}`}>
              <input type="checkbox" id={`f-order-${o.id}`} name="orderIds" value={String(o.id)} checked={values.orderIds.includes(String(o.id))} />
              <span>
                <strong>{o.paymentCode}</strong> {o.product ? `· ${o.product} ` : ''}· {t(o.dueDate < props.today ? 'portal.statement.dueWas' : 'portal.statement.due', { date: date(o.dueDate) })} · {money(o.balance)}
              </span>
            </label>
          ))}
        </ChoiceGroup>
        <Select
          name="category"
          label={t('portal.claim.category')}
          value={values.category}
          blank={t('portal.claim.choose')}
          options={claimCategories.map((c) => ({ value: c, label: t(`portal.claim.category.${c}`) }))}
          errors={errors}
        />
        <TextArea name="description" label={t('portal.claim.description')} value={values.description} maxlength={4000} rows={5} errors={errors} />
        <button type="submit" class="button">
          {t('portal.claim.send')}
        </button>
      </PostForm>
      <p>
        <a href="/estado-de-cuenta">{t('portal.claim.back')}</a>
      </p>
    </section>
  );
}

/** The statement's "Tus reclamos": what the debtor raised (or staff raised for them), and whether it is answered. */
export function DebtorClaims(props: { claims: DebtorClaimRow[]; canRaise: boolean }) {
  const { t, date } = useView();
  return (
    <section class="card" id="reclamos">
      <h2>{t('portal.claims.title')}</h2>
      {props.claims.length > 0 && (
        <ul class="plain">
          {props.claims.map((c) => (
            <li>
              <strong>{t('portal.claims.numbered', { id: c.id })}</strong> · {t(`portal.claim.category.${c.category}`)} · {c.orderCodes.join(', ')}
              <br />
              {c.state === 'abierto'
                ? t('portal.claims.open', { date: date(c.createdAt) })
                : t('portal.claims.closed', { date: date(c.closedAt ?? c.createdAt) })}
            </li>
          ))}
        </ul>
      )}
      {/* Two open claims are as many as anyone may have: said here, before a form that would refuse a third. */}
      {props.canRaise &&
        (props.claims.filter((c) => c.state === 'abierto').length >= 2 ? (
          <p class="hint">{t('portal.claims.twoOpen')}</p>
        ) : (
          <p>
            {props.claims.length === 0 && `${t('portal.claims.none')} `}
            <a href="/reclamo">{t('portal.claims.raise')}</a>
          </p>
        ))}
    </section>
  );
}
