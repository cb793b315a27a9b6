import type { Child } from 'hono/jsx';
import { FlashMessage } from '../components/flash.js';
import { useView } from '../context.js';
import { Document } from './document.js';

/** Pages outside the shell: login, password reset, errors. */
export function PlainLayout(props: { title: string; children: Child }) {
  const { t, tenant } = useView();
  return (
    <Document title={props.title} bodyClass="plain">
      <main id="main" class="card narrow">
        <p class="brand">
          {t('app.name')}
          {tenant && <span class="tenant">{tenant.name}</span>}
        </p>
        <FlashMessage />
        {props.children}
      </main>
    </Document>
  );
}
