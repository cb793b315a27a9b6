import type { mailMessages } from '../../src/platform/mail/schema.js';
import { useView } from '../context.js';

type Message = typeof mailMessages.$inferSelect;

const URL_IN_TEXT = /(https?:\/\/[^\s<>"]+)/;

/**
 * A web address with what makes it a key taken out: the query, and every part of its path
 * long enough to be a token ("/app/password-reset/…"). Such a link is a password reset, a
 * download or a debtor's statement, and opens it for whoever holds it.
 */
export function withoutSecrets(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname
      .split('/')
      .map((part) => (part.length >= 16 ? '…' : part))
      .join('/');
    return `${parsed.origin}${path}${parsed.search ? '?…' : ''}`;
  } catch {
    return '…';
  }
}

/**
 * The message's text with its web addresses as links, so that its recipient can follow a
 * link sent in development from here; anyone else sees the addresses without their keys.
 */
function withLinks(text: string, mine: boolean) {
  return text.split(URL_IN_TEXT).map((part, i) =>
    i % 2 === 0 ? (
      part
    ) : mine ? (
      <a href={part} rel="noopener noreferrer" target="_blank">
        {part}
      </a>
    ) : (
      withoutSecrets(part)
    ),
  );
}

export function OutboxPage(props: { messages: Message[]; transport: 'smtp' | 'outbox'; viewer: string }) {
  const { t, dateTime } = useView();
  return (
    <>
      <h1>{t('outbox.title')}</h1>
      {props.transport === 'outbox' && <p class="hint">{t('outbox.intro')}</p>}
      <p class="hint">{t('outbox.privateLinks')}</p>
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
              <pre class="mail-body">{withLinks(m.text, m.to.toLowerCase() === props.viewer.toLowerCase())}</pre>
            </details>
          ))}
        </div>
      )}
    </>
  );
}
