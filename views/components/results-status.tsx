import { useView } from '../context.js';

/**
 * How many results a filter, sort or page found, said by screen readers when htmx brings them:
 * a live region that stays on the page, outside the part that is swapped (a region swapped in
 * whole is not announced, and the whole table read out at each change would drown the count).
 * The page holds it empty; each htmx answer sends its text out of band (`oob`), into it
 * (`innerHTML`): a region that is itself replaced is a new region, and is not read either.
 */
export function ResultsStatus(props: { id: string; total?: { count: number; capped: boolean }; text?: string; oob?: boolean }) {
  const { t, number } = useView();
  const total = props.total;
  return (
    <p id={props.id} class="visually-hidden" role="status" hx-swap-oob={props.oob ? 'innerHTML' : undefined}>
      {total ? t(total.capped ? 'common.resultsCapped' : 'common.results', { count: number(total.count) }) : (props.text ?? '')}
    </p>
  );
}
