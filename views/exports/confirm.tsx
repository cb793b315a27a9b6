import { PostForm } from '../components/forms.js';
import { useView } from '../context.js';

/** More than the immediate limit: the user is told it will be ready overnight and confirms. */
export function ConfirmNightly(props: { kind: string; format: string; query: string; count: number; at: Date; back: string }) {
  const { t, number, dateTime } = useView();
  return (
    <>
      <h1>{t('exports.confirm.title')}</h1>
      <p>{t('exports.confirm.body', { count: number(props.count), at: dateTime(props.at) })}</p>
      <PostForm action="/app/exports">
        <input type="hidden" name="kind" value={props.kind} />
        <input type="hidden" name="format" value={props.format} />
        <input type="hidden" name="query" value={props.query} />
        <input type="hidden" name="confirm" value="1" />
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('exports.confirm.submit')}
          </button>
          <a href={props.back}>{t('common.cancel')}</a>
        </div>
      </PostForm>
    </>
  );
}

/**
 * The "Descargar" control a tray places beside its filters; it carries the tray's query
 * parameters, without the page (a download holds every page) nor the empty ones.
 */
export function DownloadForm(props: { kind: string; query: Record<string, string | undefined> }) {
  const { t } = useView();
  const query = new URLSearchParams(Object.entries(props.query).filter((pair): pair is [string, string] => pair[0] !== 'page' && Boolean(pair[1]))).toString();
  return (
    <PostForm action="/app/exports" class="download-form">
      <input type="hidden" name="kind" value={props.kind} />
      <input type="hidden" name="query" value={query} />
      <label>
        <span class="visually-hidden">{t('exports.format')}</span>
        <select name="format">
          <option value="xlsx">Excel (xlsx)</option>
          <option value="csv">CSV</option>
        </select>
      </label>
      <button type="submit">{t('exports.download')}</button>
    </PostForm>
  );
}
