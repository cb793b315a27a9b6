import type { appActivations } from '../../src/marketplace/schema.js';
import { ErrorSummary, PostForm, type FieldErrors } from '../components/forms.js';
import { useView } from '../context.js';

type Activation = typeof appActivations.$inferSelect;

export function MarketplacePage(props: { enabled: boolean; priceUsdCents: number; plan: 'essential' | 'pro'; history: Activation[]; errors?: FieldErrors }) {
  const { t, dateTime } = useView();
  const price = (props.priceUsdCents / 100).toFixed(0);
  return (
    <>
      <h1>{t('marketplace.title')}</h1>
      <p>{t('marketplace.intro')}</p>
      <p class="hint">{t('marketplace.plan', { plan: t(`plan.${props.plan}`) })}</p>
      <ErrorSummary errors={props.errors} />
      <section class="panel app-card">
        <div class="page-header">
          <h2>{t('marketplace.chargedOff.name')}</h2>
          <span class={`badge ${props.enabled ? 'badge-ok' : 'badge-muted'}`}>{t(props.enabled ? 'marketplace.enabled' : 'marketplace.disabled')}</span>
        </div>
        <p>{t('marketplace.chargedOff.description')}</p>
        <p>
          <strong>{props.priceUsdCents === 0 ? t('marketplace.free') : t('marketplace.price', { price })}</strong>
        </p>
        {props.enabled ? (
          <PostForm action="/app/settings/apps/charged_off/deactivation">
            <button type="submit">{t('marketplace.disable')}</button>
          </PostForm>
        ) : (
          <PostForm action="/app/settings/apps/charged_off/activation">
            {props.priceUsdCents > 0 && (
              <div class="checkbox">
                <input type="checkbox" id="f-acceptedPrice" name="acceptedPrice" value={String(props.priceUsdCents)} />
                <label for="f-acceptedPrice">{t('marketplace.acceptPrice', { price })}</label>
              </div>
            )}
            <button type="submit" class="primary">
              {t('marketplace.enable')}
            </button>
          </PostForm>
        )}
      </section>
      {props.history.length > 0 && (
        <section class="panel">
          <h2>{t('marketplace.history')}</h2>
          <ul>
            {props.history.map((a) => (
              <li>
                {dateTime(a.occurredAt)} · {t(a.action === 'enabled' ? 'marketplace.enabled' : 'marketplace.disabled')} · {t(`plan.${a.plan as 'essential' | 'pro'}`)}
                {a.action === 'enabled' && ` · ${a.priceUsdCents === 0 ? t('marketplace.free') : t('marketplace.price', { price: (a.priceUsdCents / 100).toFixed(0) })}`}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
