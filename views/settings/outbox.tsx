import type { mailMessages } from '../../src/platform/mail/schema.js';
import { useView } from '../context.js';

type Message = typeof mailMessages.$inferSelect;

export function OutboxPage(props: { messages: Message[]; transport: 'smtp' | 'outbox' }) {
  const { t, dateTime } = useView();
  return (
    <>
      <h1>{t('outbox.title')}</h1>
      {props.transport === 'outbox' && <p class="hint">{t('outbox.intro')}</p>}
      {props.messages.length === 0 ? (
        <p>{t('outbox.empty')}</p>
      ) : (
        <div class="mail-list">
          {props.messages.map((m) => (
            <details class="panel">
              <summary>
                <strong>{m.subject}</strong> · {m.to} · {dateTime(m.createdAt)} · {m.transport}
                {m.status === 'failed' && <span class="badge badge-danger">{m.error}</span>}
              </summary>
              <pre class="mail-body">{m.text}</pre>
            </details>
          ))}
        </div>
      )}
    </>
  );
}
