import { ErrorSummary, Field, PostForm, type FieldErrors } from '../components/forms.js';
import { useView } from '../context.js';

export function LoginPage(props: { email?: string; next?: string; errors?: FieldErrors; message?: string }) {
  const { t } = useView();
  return (
    <>
      <h1>{t('login.title')}</h1>
      {props.message && (
        // Refused, the message is what is read first: it takes the focus, and Tab goes on to the fields.
        <div class="flash flash-error" role="alert" tabindex={-1} autofocus>
          {props.message}
        </div>
      )}
      <ErrorSummary errors={props.errors} />
      <PostForm action={`/app/login${props.next ? `?next=${encodeURIComponent(props.next)}` : ''}`}>
        <Field name="email" type="email" label={t('login.email')} value={props.email} autocomplete="username" required errors={props.errors} autofocus={!props.message} />
        <Field name="password" type="password" label={t('login.password')} autocomplete="current-password" required errors={props.errors} />
        <button type="submit" class="primary">
          {t('login.submit')}
        </button>
      </PostForm>
      <p>
        <a href="/app/password-reset">{t('login.forgot')}</a>
      </p>
    </>
  );
}

export function ResetRequestPage(props: { email?: string; errors?: FieldErrors; message?: string }) {
  const { t } = useView();
  return (
    <>
      <h1>{t('reset.title')}</h1>
      <p>{t('reset.intro')}</p>
      {props.message && (
        // Refused, the message is what is read first: it takes the focus, and Tab goes on to the fields.
        <div class="flash flash-error" role="alert" tabindex={-1} autofocus>
          {props.message}
        </div>
      )}
      <PostForm action="/app/password-reset">
        <Field name="email" type="email" label={t('login.email')} value={props.email} autocomplete="username" required errors={props.errors} />
        <button type="submit" class="primary">
          {t('reset.submit')}
        </button>
      </PostForm>
      <p>
        <a href="/app/login">{t('common.back')}</a>
      </p>
    </>
  );
}

export function ResetChoosePage(props: { token: string; errors?: FieldErrors }) {
  const { t } = useView();
  return (
    <>
      <h1>{t('reset.choose')}</h1>
      <ErrorSummary errors={props.errors} />
      <PostForm action={`/app/password-reset/${props.token}`}>
        <Field name="password" type="password" label={t('password.new')} autocomplete="new-password" required errors={props.errors} />
        <Field name="confirm" type="password" label={t('password.confirm')} autocomplete="new-password" required errors={props.errors} />
        <button type="submit" class="primary">
          {t('common.save')}
        </button>
      </PostForm>
    </>
  );
}
