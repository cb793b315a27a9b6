import { useView } from '../context.js';

export function ErrorPage(props: { title: string; body: string; back?: boolean; backTo?: string }) {
  const { t, user } = useView();
  return (
    <section class="error-page">
      <h1>{props.title}</h1>
      <p>{props.body}</p>
      {props.back !== false && <p>
        <a href={props.backTo ?? (user ? '/app' : '/')}>{t('common.back')}</a>
      </p>}
    </section>
  );
}
