import type { Child } from 'hono/jsx';
import { randomUUID } from 'node:crypto';
import { translateMessage, type MessageKey } from '../../src/platform/i18n/index.js';
import { useView } from '../context.js';
import { escapeHtml, markup } from './markup.js';

/** Field errors as message keys (or ready text), keyed by field name. */
export type FieldErrors = Record<string, string>;

export function useMessage(): (message: string) => string {
  const { t } = useView();
  return (message) => translateMessage(t, message);
}

/**
 * What sends a tray's filter form with htmx: the form's own submit (Enter, "Filtrar"), and a
 * choice made in a list or a box at once. A date waits until its typing pauses (typing
 * "2026" into its year fires a change per digit). Typed text waits for Enter: a change event
 * on it too would send the search twice, since Enter fires both.
 */
export function filterTrigger(formId: string): string {
  const within = (...fields: string[]) => fields.map((field) => `#${formId} ${field}`).join(', ');
  return `submit, change from:(${within('select', 'input[type=checkbox]')}), change delay:800ms from:(${within('input[type=date]')})`;
}

export function CsrfField() {
  const { csrfToken } = useView();
  return <input type="hidden" name="_csrf" value={csrfToken} />;
}

/**
 * What the summary calls the fields of the forms, so that "Este campo es obligatorio" said of
 * three fields says which three (the message under each field needs no name: it sits there).
 */
const SUMMARY_LABELS: Record<string, MessageKey> = {
  documentType: 'clients.field.documentType',
  documentNumber: 'clients.field.documentNumber',
  name: 'clients.field.name',
  email: 'clients.field.email',
  phone: 'clients.field.phone',
  segment: 'clients.field.segment',
  contactAlerts: 'clients.field.contactAlerts',
  supervisorId: 'clients.field.supervisor',
  advisorId: 'clients.field.advisor',
  paymentCode: 'orders.paymentCode',
  amount: 'orders.amount',
  interest: 'orders.interest',
  discounts: 'orders.discounts',
  issueDate: 'orders.issueDate',
  dueDate: 'orders.dueDate',
  paidOn: 'payments.paidOn',
  method: 'payments.method',
  reference: 'payments.reference',
  orders: 'payments.orders',
  promiseAmount: 'promises.amount',
  promisedDate: 'promises.promisedDate',
  category: 'claims.category',
  description: 'claims.description',
  comments: 'claims.comments',
  orderIds: 'claims.orders',
};

/**
 * What to fix, above a form, each line leading to its field. `labels` names the fields as the
 * form itself does, where its words are its own (a portal's "Monto pagado").
 */
export function ErrorSummary({ errors, prefix = 'f', labels }: { errors: FieldErrors | undefined; prefix?: string; labels?: Record<string, string> }) {
  const { t } = useView();
  const message = useMessage();
  const entries = Object.entries(errors ?? {});
  if (entries.length === 0) return null;
  return (
    <SummaryBox id={prefix === 'f' ? 'error-summary' : `${prefix}-error-summary`} intro={t('common.errorSummary')}>
      {entries.map(([field, error]) => (
        <li>
          <a href={`#${prefix}-${field}`}>
            {labels?.[field] ? `${labels[field]}: ` : SUMMARY_LABELS[field] ? `${t(SUMMARY_LABELS[field])}: ` : ''}
            {message(error)}
          </a>
        </li>
      ))}
    </SummaryBox>
  );
}

/**
 * What was refused, said above where the form is (or was), with its lines. It takes the focus,
 * so that it is what is read and seen first, wherever it sits on the page: the browser focuses
 * (and scrolls to) [autofocus] on a page's load, and htmx does in a part it swaps in (a row
 * edited in place). It is the first [autofocus] of its page or part: a field's own autofocus
 * comes after it.
 */
export function SummaryBox(props: { id: string; intro: string; children: Child }) {
  return (
    <div class="error-summary" role="alert" tabindex={-1} id={props.id} autofocus>
      <p>{props.intro}</p>
      <ul>{props.children}</ul>
    </div>
  );
}

interface FieldProps {
  name: string;
  label: string;
  value?: string | number | null | undefined;
  type?: string;
  errors?: FieldErrors | undefined;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: 'url' | 'none' | 'search' | 'email' | 'text' | 'tel' | 'numeric' | 'decimal';
  maxlength?: number;
  min?: string;
  max?: string;
  step?: string;
  placeholder?: string;
  autofocus?: boolean;
}

/** What every control shares: its label, hint and error, and the ids that tie them to it. */
interface ShellProps {
  name: string;
  label: string;
  errors?: FieldErrors | undefined;
  hint?: string | undefined;
  /** The control's id when two forms on a page post the same name; `f-<name>` otherwise. */
  id?: string | undefined;
}

function FieldShell(props: ShellProps & { children: (control: { id: string; invalid: 'true' | undefined; describedBy: string | undefined }) => Child; after?: Child }) {
  const message = useMessage();
  const error = props.errors?.[props.name];
  const id = props.id ?? `f-${props.name}`;
  const describedBy = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' field-error' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {error && (
        <p class="error" id={`${id}-error`}>
          {message(error)}
        </p>
      )}
      {props.children({ id, invalid: error ? 'true' : undefined, describedBy })}
      {props.after}
    </div>
  );
}

export function Field(props: FieldProps) {
  return (
    <FieldShell name={props.name} label={props.label} errors={props.errors} hint={props.hint}>
      {({ id, invalid, describedBy }) => (
        <input
          id={id}
          name={props.name}
          type={props.type ?? 'text'}
          value={props.type === 'password' ? undefined : (props.value ?? undefined)}
          required={props.required}
          autocomplete={props.autocomplete}
          inputmode={props.inputmode}
          maxlength={props.maxlength}
          min={props.min}
          max={props.max}
          step={props.step}
          placeholder={props.placeholder}
          autofocus={props.autofocus}
          aria-invalid={invalid}
          aria-describedby={describedBy}
        />
      )}
    </FieldShell>
  );
}

export function TextArea(props: ShellProps & { value: string | null | undefined; rows?: number; maxlength?: number }) {
  return (
    <FieldShell {...props}>
      {({ id, invalid, describedBy }) => (
        <textarea id={id} name={props.name} rows={props.rows ?? 3} maxlength={props.maxlength} aria-invalid={invalid} aria-describedby={describedBy}>
          {props.value ?? ''}
        </textarea>
      )}
    </FieldShell>
  );
}

/** A file upload; `accept` is a hint for the picker, the server checks the content. `after` goes below it. */
export function FileInput(props: ShellProps & { accept: string; required?: boolean; after?: Child }) {
  return (
    <FieldShell {...props}>
      {({ id, invalid, describedBy }) => (
        <input type="file" id={id} name={props.name} accept={props.accept} required={props.required} aria-invalid={invalid} aria-describedby={describedBy} />
      )}
    </FieldShell>
  );
}

interface SelectProps {
  name: string;
  label: string;
  /** The control's id when two forms on a page post the same name; `f-<name>` otherwise. */
  id?: string | undefined;
  value?: string | null | undefined;
  options: { value: string; label: string }[];
  errors?: FieldErrors | undefined;
  hint?: string;
  blank?: string;
  required?: boolean;
  /** Takes the focus when the form arrives in place of what was pressed (an inline editor). */
  autofocus?: boolean;
}

/**
 * A select's options as one string: lists of staff or statuses run to dozens of options,
 * repeated in every filter form, and each was an element for JSX to build and walk.
 */
function optionList(options: readonly { value: string; label: string }[], selected: string): string {
  let out = '';
  for (const o of options) {
    out += `<option value="${escapeHtml(o.value)}"${o.value === selected ? ' selected=""' : ''}>${escapeHtml(o.label)}</option>`;
  }
  return out;
}

export function Select(props: SelectProps) {
  return (
    <FieldShell id={props.id} name={props.name} label={props.label} errors={props.errors} hint={props.hint}>
      {({ id, invalid, describedBy }) => (
        <select id={id} name={props.name} required={props.required} autofocus={props.autofocus} aria-invalid={invalid} aria-describedby={describedBy}>
          {props.blank !== undefined && <option value="">{props.blank}</option>}
          {markup(optionList(props.options, props.value ?? ''))}
        </select>
      )}
    </FieldShell>
  );
}

/**
 * A group of checkboxes or radios under one question. Its error is said inside the group and
 * tied to it (aria-describedby), so a screen reader reading the legend hears it too; `id` is
 * what the error summary's line leads to.
 */
export function ChoiceGroup(props: { id: string; legend: Child; error?: string | undefined; class?: string; children: Child }) {
  const message = useMessage();
  const errorId = `${props.id}-error`;
  const cls = [props.class, props.error ? 'field-error' : undefined].filter(Boolean).join(' ');
  return (
    <fieldset class={cls || undefined} id={props.id} aria-describedby={props.error ? errorId : undefined}>
      <legend>{props.legend}</legend>
      {props.error && (
        <p class="error" id={errorId}>
          {message(props.error)}
        </p>
      )}
      {props.children}
    </fieldset>
  );
}

export function Checkbox(props: { name: string; label: string; checked: boolean; value?: string; hint?: Child }) {
  const id = `f-${props.name}${props.value ? `-${props.value}` : ''}`;
  return (
    <div class="checkbox">
      <input type="checkbox" id={id} name={props.name} value={props.value ?? 'on'} checked={props.checked} />
      <label for={id}>
        {props.label}
        {props.hint && <span class="hint"> {props.hint}</span>}
      </label>
    </div>
  );
}

/** The field that names one rendering of a form, so that a second send of it is known (src/portal/once.ts). */
export const ONCE_FIELD = '_once';

/**
 * A form that works as a plain POST; `hx` attributes may upgrade it. With `once`, each
 * rendering carries a random name, and the handler takes only its first send: a double tap
 * on a slow phone sends the same form twice.
 */
export function PostForm(props: { action: string; children: Child; class?: string; once?: boolean; enctype?: 'multipart/form-data' | 'application/x-www-form-urlencoded'; [hx: `hx-${string}`]: string | undefined }) {
  const { action, children, class: cls, enctype, once, ...hx } = props;
  return (
    <form method="post" action={action} class={cls} enctype={enctype} novalidate {...hx}>
      <CsrfField />
      {once && <input type="hidden" name={ONCE_FIELD} value={randomUUID()} />}
      {children}
    </form>
  );
}

/**
 * An action that cannot be taken back, behind a second step that needs no JavaScript: the
 * summary opens what the action does, and only the button inside sends it.
 */
export function ConfirmedAction(props: { action: string; label: string; hint: string; confirm: string; class?: string }) {
  return (
    <details class={props.class ? `confirm ${props.class}` : 'confirm'}>
      <summary>{props.label}</summary>
      <PostForm action={props.action} class="confirm-panel">
        <p>{props.hint}</p>
        <button type="submit" class="danger">
          {props.confirm}
        </button>
      </PostForm>
    </details>
  );
}
