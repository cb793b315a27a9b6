import { useView } from '../context.js';

/** Where "Volver" leads from an error page: home for staff, the login for the back office's others. */
function homeOf(user: unknown, path: string): string {
  if (user) return '/app';
  return path === '/app' || path.startsWith('/app/') ? '/app/login' : '/';
}

export function ErrorPage(props: { title: string; body: string; back?: boolean; backTo?: string }) {
  const { t, user, path } = useView();
  return (
    <section class="error-page">
      <h1>{props.title}</h1>
      <p>{props.body}</p>
      {props.back !== false && (
        <p>
          <a href={props.backTo ?? homeOf(user, path)}>{t('common.back')}</a>
        </p>
      )}
    </section>
  );
}

/**
 * A refusal or failure of a part htmx asked for, shown in the page's notice (the layout's
 * #request-error) instead of the part: the page stays as it was, and offers a fresh load of
 * itself, which shows where things stand now (a permission taken away, a form expired).
 */
export function RequestError(props: { title: string; body: string; reload?: string | undefined }) {
  const { t } = useView();
  return (
    <>
      <strong>{props.title}</strong> {props.body}{' '}
      {props.reload && <a href={props.reload}>{t('errors.reload')}</a>}
    </>
  );
}
