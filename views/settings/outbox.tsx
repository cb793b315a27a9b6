import type { mailMessages } from '../../src/platform/mail/schema.js';
import { useView } from '../context.js';

type Message = typeof mailMessages.$inferSelect;

const URL_IN_TEXT = /(https?:\/\/[^\s<>"]+)/;

/** The message's text with its web addresses as links, so a link sent in development can be followed from here. */
function withLinks(text: string) {
  return text.split(URL_IN_TEXT).map((part, i) =>
    i % 2 === 1 ? (
      <a href={part} rel="noopener noreferrer" target="_blank">
        {part}
      </a>
    ) : (
      part
    ),
  );
}

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
                <strong>{m.subject}</strong> · {m.to} · {dateTime(m.createdAt)} ·{' '}
                {m.status === 'failed' ? <span class="badge badge-danger">{m.error}</span> : <span class="badge badge-ok">{t(`outbox.status.${m.transport}`)}</span>}
              </summary>
              <pre class="mail-body">{withLinks(m.text)}</pre>
            </details>
          ))}
        </div>
      )}
    </>
  );
}
