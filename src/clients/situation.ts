import { and, gt, gte, isNotNull, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { addDays, daysBetween, type IsoDate } from '../platform/dates.js';
import { clients } from './schema.js';

/** SPEC section 2, in order of precedence. */
export const situations = ['finalizado', 'con_reclamo', 'al_dia', 'mora_1_30', 'mora_31_60', 'mora_61_90', 'mora_90_mas'] as const;
export type Situation = (typeof situations)[number];

export function isSituation(value: string): value is Situation {
  return (situations as readonly string[]).includes(value);
}

export interface SituationInputs {
  unpaidOrders: number;
  openClaims: number;
  oldestUnpaidDueDate: IsoDate | null;
}

/**
 * A client's situation on a given day (today in the tenant's timezone):
 * finalizado when nothing is unpaid, con_reclamo with an open claim, otherwise the days past
 * due of the oldest unpaid order (0 → al día, 1–30, 31–60, 61–90, more than 90).
 */
export function situationOf(client: SituationInputs, today: IsoDate): Situation {
  if (client.unpaidOrders === 0 || !client.oldestUnpaidDueDate) return 'finalizado';
  if (client.openClaims > 0) return 'con_reclamo';
  const days = daysBetween(client.oldestUnpaidDueDate, today);
  if (days <= 0) return 'al_dia';
  if (days <= 30) return 'mora_1_30';
  if (days <= 60) return 'mora_31_60';
  if (days <= 90) return 'mora_61_90';
  return 'mora_90_mas';
}

/** Days past due of the oldest unpaid order (0 when none is overdue). */
export function daysPastDue(client: Pick<SituationInputs, 'oldestUnpaidDueDate'>, today: IsoDate): number {
  return client.oldestUnpaidDueDate ? Math.max(0, daysBetween(client.oldestUnpaidDueDate, today)) : 0;
}

/**
 * The same rule as a WHERE over the stored columns: every delinquency bucket is a range of
 * `oldest_unpaid_due_date`, so the filter uses the index instead of recomputing from orders.
 */
export function situationWhere(situation: Situation, today: IsoDate): SQL {
  const oldest = clients.oldestUnpaidDueDate;
  const owing = and(isNotNull(oldest), sql`${clients.openClaims} = 0`)!;
  const since = (days: number) => addDays(today, -days);
  switch (situation) {
    case 'finalizado':
      return isNull(oldest);
    case 'con_reclamo':
      return and(isNotNull(oldest), gt(clients.openClaims, 0))!;
    case 'al_dia':
      return and(owing, gte(oldest, today))!;
    case 'mora_1_30':
      return and(owing, gte(oldest, since(30)), lt(oldest, today))!;
    case 'mora_31_60':
      return and(owing, gte(oldest, since(60)), lt(oldest, since(30)))!;
    case 'mora_61_90':
      return and(owing, gte(oldest, since(90)), lt(oldest, since(60)))!;
    case 'mora_90_mas':
      return and(owing, lt(oldest, since(90)))!;
  }
}

/** The situation as a column of a SELECT, for sorting and downloads. */
export function situationColumn(today: IsoDate): SQL<Situation> {
  const oldest = clients.oldestUnpaidDueDate;
  return sql<Situation>`case
    when ${oldest} is null then 'finalizado'
    when ${clients.openClaims} > 0 then 'con_reclamo'
    when ${oldest} >= ${today}::date then 'al_dia'
    when ${oldest} >= ${addDays(today, -30)}::date then 'mora_1_30'
    when ${oldest} >= ${addDays(today, -60)}::date then 'mora_31_60'
    when ${oldest} >= ${addDays(today, -90)}::date then 'mora_61_90'
    else 'mora_90_mas' end`;
}
