import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

/**
 * Searching and sorting people's names the way staff type and read them: without regard to
 * case or accents ("perez" finds "Pérez", "ÁLVAREZ" sorts among the a's). The database's
 * `saldo_fold(text)` (migration 0017) is `translate(lower(text), FOLD_FROM, FOLD_TO)`, the
 * same table as here, and the name indexes are built on it. `lower()` lowercases only ASCII
 * in the C collation, so the table carries the capitals too.
 */
export const FOLD_FROM = 'ÁÀÂÄÃÅáàâäãåÉÈÊËéèêëÍÌÎÏíìîïÓÒÔÖÕóòôöõÚÙÛÜúùûüÑñÇçÝýŸÿ';
export const FOLD_TO = 'aaaaaaaaaaaaeeeeeeeeiiiiiiiioooooooooouuuuuuuunnccyyyy';

const table = new Map([...FOLD_FROM].map((from, i) => [from, FOLD_TO[i]!]));

/** A text as `saldo_fold` makes it in the database. */
export function fold(text: string): string {
  let out = '';
  for (const char of text.toLowerCase()) out += table.get(char) ?? char;
  return out;
}

/** The column as the name indexes hold it. */
export const folded = (column: SQLWrapper): SQL => sql`saldo_fold(${column})`;

/** A text taken literally inside a LIKE pattern. */
export const likeEscape = (text: string): string => text.replace(/[\\%_]/g, (m) => `\\${m}`);

/** The LIKE pattern of texts starting with `q`, folded. */
export const foldedPrefixPattern = (q: string): string => `${likeEscape(fold(q))}%`;

/** Whether the column, folded, starts with `q` folded. */
export const startsWithFolded = (column: SQLWrapper, q: string): SQL => sql`${folded(column)} like ${foldedPrefixPattern(q)}`;

/** Whether the column, folded, contains `q` folded. */
export const containsFolded = (column: SQLWrapper, q: string): SQL => sql`${folded(column)} like ${`%${likeEscape(fold(q))}%`}`;
