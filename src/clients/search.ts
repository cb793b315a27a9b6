import { sql, type SQL } from 'drizzle-orm';
import { fold, folded, startsWithFolded } from '../platform/search.js';
import { clientNameWords, clients } from './schema.js';

/**
 * What a name typed in a search box finds (decision 0018): every client with a word of the
 * name starting with each word typed, in any order, regardless of case and accents ("perez"
 * and "quispe jo" both find "José Pérez Quispe"). One character alone finds the names that
 * start with it, as does text with letters outside a–z once folded (say "Øst"), which the
 * name's words (migration 0020) do not hold.
 */
export type NameQuery =
  | { kind: 'prefix'; q: string }
  | {
      kind: 'words';
      /** The longest word typed: the index range the search walks. */
      lead: string;
      /** The other words typed, each checked on the names the lead finds. */
      others: string[];
    };

const NOT_WORD = /[^a-z0-9]+/;
const FOREIGN_LETTER = /[^\P{L}a-z]|[^\P{N}0-9]/u;

/** The words of a folded text, split as `saldo_name_words` splits names in the database. */
export function wordsOf(text: string): string[] {
  return fold(text).split(NOT_WORD).filter(Boolean);
}

export function nameQuery(q: string): NameQuery {
  const words = wordsOf(q);
  if (words.length === 0 || FOREIGN_LETTER.test(fold(q)) || (words.length === 1 && words[0]!.length === 1)) return { kind: 'prefix', q };
  const lead = words.reduce((longest, word) => (word.length > longest.length ? word : longest));
  const others = [...words];
  others.splice(others.indexOf(lead), 1);
  return { kind: 'words', lead, others };
}

/** Words starting with `prefix` as a range of the C-ordered word column. */
function wordRange(prefix: string): { low: string; high: string } {
  const last = prefix.charCodeAt(prefix.length - 1);
  return { low: prefix, high: prefix.slice(0, -1) + String.fromCharCode(last + 1) };
}

/** Which clients' words a search reads: live or deleted, and the tray's other filters on `clients`. */
export interface WordsWithin {
  deleted: boolean;
  narrowing: SQL[];
}

type WordsQuery = Extract<NameQuery, { kind: 'words' }>;

/**
 * The typed words other than the lead, each at the start of a word of `name` (folded). A
 * `like` on the word anywhere goes first: it costs next to nothing and leaves the regular
 * expression, which costs more than reading the row (a common surname's 50,000 rows: 21 ms
 * of a 34 ms count), only the names that hold the word somewhere. Words are `a–z0–9`, which
 * `like` reads literally.
 */
function othersWhere(others: string[], name: SQL): SQL {
  if (others.length === 0) return sql`true`;
  return sql.join(
    others.map((word) => sql`${name} like ${`%${word}%`} and ${name} ~ ${`(^|[^a-z0-9])${word}`}`),
    sql` and `,
  );
}

/**
 * Whether the client's name matches, as one condition on `clients` (any tray that joins
 * them); `deleted` narrows the words read to the live or the deleted clients' when known.
 */
export function nameMatches(tenantId: number, query: NameQuery, deleted?: boolean): SQL {
  if (query.kind === 'prefix') return startsWithFolded(clients.name, query.q);
  const { low, high } = wordRange(query.lead);
  const w = clientNameWords;
  const which = deleted === undefined ? sql`${w.deleted} in (false, true)` : sql`${w.deleted} = ${deleted}`;
  return sql`(${clients.id} in (select ${w.clientId} from ${w} where ${w.tenantId} = ${tenantId} and ${which} and ${w.word} >= ${low} and ${w.word} < ${high})
    and ${othersWhere(query.others, folded(clients.name))})`;
}

/**
 * The conditions on a row `cw` of the words: the others typed, on its folded name, and the
 * tray's other filters, on its client (visited only when there are such filters).
 */
function wordRowWhere(tenantId: number, query: WordsQuery, within: WordsWithin): SQL {
  const others = othersWhere(query.others, sql`cw.sort_name`);
  if (within.narrowing.length === 0) return others;
  return sql`${others} and exists (select 1 from ${clients} where ${clients.tenantId} = ${tenantId} and ${clients.id} = cw.client_id
    and ${sql.join(within.narrowing, sql` and `)})`;
}

/**
 * The matching clients as rows of (id, sort_name) in name order, at most `limit` for each word
 * of the index the lead starts (a page needs no more from any one of them). The distinct words
 * are found by skipping through the index, one probe each, and each word's clients are read
 * in name order from the index: a page of a common surname reads a page, not every namesake.
 */
export function wordMatchesInOrder(tenantId: number, query: WordsQuery, within: WordsWithin, dir: 'asc' | 'desc', limit: number): SQL {
  const { low, high } = wordRange(query.lead);
  const d = sql.raw(dir);
  return sql`(with recursive lead_words(word) as (
      (select word from client_name_words where tenant_id = ${tenantId} and deleted = ${within.deleted} and word >= ${low} and word < ${high} order by word limit 1)
      union all
      select (select n.word from client_name_words n
               where n.tenant_id = ${tenantId} and n.deleted = ${within.deleted} and n.word > lead_words.word and n.word < ${high} order by n.word limit 1)
        from lead_words where lead_words.word is not null
    )
    select m.id, m.sort_name from lead_words cross join lateral (
      select cw.client_id as id, cw.sort_name from client_name_words cw
       where cw.tenant_id = ${tenantId} and cw.deleted = ${within.deleted} and cw.word = lead_words.word and ${wordRowWhere(tenantId, query, within)}
       order by cw.sort_name ${d}, cw.client_id ${d} limit ${limit}) m)`;
}

/**
 * The matching clients' ids, for a count, at most `limit` rows: a client whose name has two
 * words starting with the lead comes twice, which the count's union folds into one.
 */
export function wordMatchIds(tenantId: number, query: WordsQuery, within: WordsWithin, limit: number): SQL {
  const { low, high } = wordRange(query.lead);
  return sql`(select cw.client_id as id from client_name_words cw
     where cw.tenant_id = ${tenantId} and cw.deleted = ${within.deleted} and cw.word >= ${low} and cw.word < ${high}
       and ${wordRowWhere(tenantId, query, within)}
     limit ${limit})`;
}
