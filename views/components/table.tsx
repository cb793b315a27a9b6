import type { Child } from 'hono/jsx';

export interface TableColumn<T> {
  heading: Child;
  /** `num` right-aligns amounts and counts; `actions` holds the row's buttons and links. */
  /** `text`: what someone typed, wrapped within a readable width however long its words. */
  kind?: 'num' | 'actions' | 'text';
  cell: (row: T) => Child;
}

/**
 * A table of records, one column per entry; a `false` entry is a column left out (one the
 * user may not use). The markup every table of the back office shares: it scrolls sideways
 * on a narrow screen instead of widening the page.
 */
export function DataTable<T>(props: { rows: readonly T[]; columns: (TableColumn<T> | false)[]; foot?: Child; class?: string }) {
  const columns = props.columns.filter((column): column is TableColumn<T> => column !== false);
  return (
    <div class="table-wrap">
      <table class={props.class ? `table ${props.class}` : 'table'}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" class={column.kind}>
                {column.heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr>
              {columns.map((column) => (
                <td class={column.kind}>{column.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
        {props.foot && <tfoot>{props.foot}</tfoot>}
      </table>
    </div>
  );
}
