import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { useView } from '../context.js';

// htmx reads its settings from this tag; no inline script is needed (the CSP forbids it).
export const htmxConfig = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  historyCacheSize: 0,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '422', swap: true },
    // A refusal or failure goes to the page's notice, never in place of the part that asked.
    { code: '[45]..', swap: true, error: true, target: '#request-error', swapOverride: 'innerHTML' },
  ],
});

export function Document(props: { title: string; children: Child; htmx?: boolean; bodyClass?: string; styles?: string[] }) {
  const { lang, asset, csrfToken, t } = useView();
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <link rel="icon" href="data:," />
          <title>{`${props.title} · ${t('app.name')}`}</title>
          {(props.styles ?? ['app.css']).map((name) => (
            <link rel="stylesheet" href={asset(name)} />
          ))}
          {props.htmx !== false && <meta name="htmx-config" content={htmxConfig} />}
          {props.htmx !== false && <script src={asset('htmx.js')} defer></script>}
          {props.htmx !== false && <script src={asset('app.js')} defer></script>}
        </head>
        <body class={props.bodyClass} hx-headers={props.htmx !== false ? JSON.stringify({ 'X-CSRF-Token': csrfToken }) : undefined}>
          {props.children}
          {props.htmx !== false && <div id="request-error" class="request-error" role="alert" data-offline={t('errors.offline')}></div>}
        </body>
      </html>
    </>
  );
}
