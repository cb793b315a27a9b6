import { ErrorSummary, Field, PostForm, Select, type FieldErrors } from '../components/forms.js';
import { useView } from '../context.js';

export function AccountPage(props: { errors?: FieldErrors }) {
  const { t, user, lang } = useView();
  return (
    <>
      <h1>{t('account.title')}</h1>
      <p>
        {user?.name} · {user?.email} · {user && t(`role.${user.role}`)}
      </p>
      <section class="panel">
        <h2>{t('account.language')}</h2>
        <PostForm action="/app/account/language" class="inline">
          <Select
            name="language"
            label={t('account.language')}
            value={lang}
            options={[
              { value: 'es', label: t('language.es') },
              { value: 'en', label: t('language.en') },
            ]}
          />
          <button type="submit">{t('common.save')}</button>
        </PostForm>
      </section>
      <section class="panel">
        <h2>{t('account.changePassword')}</h2>
        <ErrorSummary errors={props.errors} />
        <PostForm action="/app/account/password">
          <Field name="current" type="password" label={t('password.current')} autocomplete="current-password" required errors={props.errors} />
          <Field name="password" type="password" label={t('password.new')} autocomplete="new-password" required errors={props.errors} hint={t('password.hint')} />
          <Field name="confirm" type="password" label={t('password.confirm')} autocomplete="new-password" required errors={props.errors} />
          <button type="submit" class="primary">
            {t('account.changePassword')}
          </button>
        </PostForm>
      </section>
    </>
  );
}

export function HomePage() {
  const { t, user } = useView();
  return (
    <>
      <h1>{t('home.welcome', { name: user?.name ?? '' })}</h1>
      <p>{t('home.intro')}</p>
    </>
  );
}
