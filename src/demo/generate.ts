import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Database } from '../db/index.js';
import { rucCheckDigit } from '../clients/fields.js';
import { addDays, type IsoDate } from '../platform/dates.js';

/**
 * Demo receivables: clients with Peruvian and Chilean names, DNI/RUC documents, emails and
 * +51 phones, their orders spread over every situation, payments in every state and
 * promises. Deterministic for a seed, so a demo or a benchmark can be reproduced.
 */
export interface GenerateOptions {
  tenantId: number;
  clients: number;
  /** The tenant's today: due dates are placed around it so every situation appears. */
  today: IsoDate;
  seed?: number;
  /** Staff to assign as advisors and supervisors, round the clients. */
  advisorIds?: number[];
  supervisorIds?: number[];
  /** Orders per client on average (1 to 2×−1 each). */
  ordersPerClient?: number;
  batchSize?: number;
  onProgress?: (done: number) => void;
  /**
   * Whether each client's history (Interacciones) gets the events its orders, payments and
   * promises would have recorded. On by default; the benchmark, which measures the tray, leaves
   * them out to generate a million clients sooner.
   */
  history?: boolean;
}

export const demoProducts = ['Crédito vehicular', 'Tarjeta', 'Préstamo personal', 'Préstamo educativo'] as const;

const FIRST = [
  'María', 'José', 'Rosa', 'Juan', 'Carmen', 'Luis', 'Ana', 'Carlos', 'Lucía', 'Jorge', 'Elena', 'Miguel', 'Sofía', 'Pedro', 'Valentina',
  'Diego', 'Camila', 'Javier', 'Isabel', 'Fernando', 'Gabriela', 'Ricardo', 'Patricia', 'Andrés', 'Daniela', 'Raúl', 'Florencia', 'Matías',
  'Milagros', 'Víctor', 'Catalina', 'Sebastián', 'Yesenia', 'Renzo', 'Fernanda', 'Joaquín', 'Katherine', 'Gonzalo', 'Ximena', 'Héctor',
];
const LAST = [
  'Quispe', 'Mamani', 'Huamán', 'Flores', 'Rodríguez', 'García', 'Sánchez', 'Rojas', 'Chávez', 'Torres', 'Ramírez', 'Vargas', 'Mendoza',
  'Castillo', 'Gutiérrez', 'Espinoza', 'Condori', 'Ccahuana', 'Paredes', 'Salazar', 'González', 'Muñoz', 'Soto', 'Contreras', 'Silva',
  'Martínez', 'Sepúlveda', 'Morales', 'Fuentes', 'Valenzuela', 'Araya', 'Tapia', 'Reyes', 'Cárdenas', 'Palomino', 'Villanueva', 'Ticona',
];
const COMPANY = ['Inversiones', 'Comercial', 'Servicios Generales', 'Transportes', 'Distribuidora', 'Constructora', 'Agroindustrias'];
const DOMAINS = ['gmail.com', 'hotmail.com', 'outlook.com', 'yahoo.es', 'icloud.com'];
const SEGMENTS = ['Consumo', 'Pyme', 'Premium', null];
const METHODS = ['transferencia', 'deposito', 'efectivo', 'tarjeta', 'yape_plin'];

/** mulberry32: small, fast and good enough to spread demo data. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function ascii(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z]/g, '');
}

type Row = (string | number | boolean | null)[];
interface Table {
  name: string;
  columns: [string, string][];
}

const CLIENTS: Table = {
  name: 'clients',
  columns: [
    ['tenant_id', 'bigint'], ['id', 'bigint'], ['document_type', 'text'], ['document_number', 'text'], ['name', 'text'], ['email', 'text'],
    ['phone', 'text'], ['segment', 'text'], ['advisor_id', 'bigint'], ['supervisor_id', 'bigint'], ['contactability', 'text'],
  ],
};
const ORDERS: Table = {
  name: 'payment_orders',
  columns: [
    ['tenant_id', 'bigint'], ['id', 'bigint'], ['client_id', 'bigint'], ['payment_code', 'text'], ['product', 'text'], ['amount', 'bigint'],
    ['interest', 'bigint'], ['discounts', 'bigint'], ['issue_date', 'date'], ['due_date', 'date'], ['annulled', 'boolean'],
  ],
};
const PAYMENTS: Table = {
  name: 'payments',
  columns: [
    ['tenant_id', 'bigint'], ['id', 'bigint'], ['client_id', 'bigint'], ['amount', 'bigint'], ['paid_on', 'date'], ['method', 'text'],
    ['reference', 'text'], ['state', 'text'],
  ],
};
const ALLOCATIONS: Table = {
  name: 'payment_allocations',
  columns: [['tenant_id', 'bigint'], ['payment_id', 'bigint'], ['order_id', 'bigint'], ['amount', 'bigint']],
};
const PROMISES: Table = {
  name: 'promises',
  columns: [
    ['tenant_id', 'bigint'], ['id', 'bigint'], ['client_id', 'bigint'], ['amount', 'bigint'], ['promised_date', 'date'], ['made_on', 'date'],
    ['kept_on', 'date'],
  ],
};

function copyField(value: Row[number]): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** COPY on PostgreSQL; elsewhere one INSERT per batch from a JSON array (a single parameter). */
async function writeRows(database: Database, table: Table, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const names = table.columns.map(([n]) => n).join(', ');
  if (database.sql) {
    const stream = await database.sql.unsafe(`copy ${table.name} (${names}) from stdin`).writable();
    async function* lines() {
      const chunk: string[] = [];
      for (const row of rows) {
        chunk.push(row.map(copyField).join('\t'));
        if (chunk.length === 2000) yield `${chunk.splice(0).join('\n')}\n`;
      }
      if (chunk.length) yield `${chunk.join('\n')}\n`;
    }
    await pipeline(Readable.from(lines()), stream as Writable);
    return;
  }
  const definition = table.columns.map(([n, t]) => `${n} ${t}`).join(', ');
  const json = JSON.stringify(rows.map((row) => Object.fromEntries(row.map((v, i) => [table.columns[i]![0], v]))));
  await database.query(`insert into ${table.name} (${names}) select ${names} from jsonb_to_recordset($1::jsonb) as r(${definition})`, [json]);
}

/**
 * Takes a block of ids from a table's identity sequence, so rows written with COPY can
 * reference each other; inserts that follow get ids after the block.
 */
async function reserveIds(database: Database, table: string, count: number): Promise<number> {
  if (count === 0) return 0;
  const [row] = await database.query<{ first: string }>(
    `select setval(seq, nextval(seq) + $1 - 1) - $1 + 1 as first from (select pg_get_serial_sequence('${table}', 'id') as seq) s`,
    [count],
  );
  return Number(row!.first);
}

export async function generateDemo(database: Database, options: GenerateOptions): Promise<{ clients: number; orders: number; payments: number; promises: number }> {
  const random = prng(options.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const { tenantId, today } = options;
  const batchSize = options.batchSize ?? 10_000;
  const perClient = options.ordersPerClient ?? 3;
  const [{ n: existing }] = (await database.query<{ n: number }>('select count(*)::int as n from clients where tenant_id = $1', [tenantId])) as [{ n: number }];
  const totals = { clients: 0, orders: 0, payments: 0, promises: 0 };
  let firstPromiseId: number | null = null;
  let firstClientId: number | null = null;

  for (let start = 0; start < options.clients; start += batchSize) {
    const size = Math.min(batchSize, options.clients - start);
    const clientRows: Row[] = [];
    const orderRows: Row[] = [];
    const paymentRows: Row[] = [];
    const allocationRows: Row[] = [];
    const promiseRows: Row[] = [];
    // Generated first with local numbers, then given ids from the sequences.
    const plannedOrders: { client: number; row: Row; settle: 'paid' | 'partial' | 'open' }[] = [];
    for (let i = 0; i < size; i++) {
      const n = existing + start + i;
      const company = random() < 0.06;
      const first = pick(FIRST);
      const last1 = pick(LAST);
      const last2 = pick(LAST);
      const dni = String(10_000_000 + ((n * 37) % 89_999_989)).padStart(8, '0');
      const name = company ? `${pick(COMPANY)} ${last1} ${pick(['S.A.C.', 'E.I.R.L.', 'S.A.'])}` : `${first} ${last1} ${last2}`;
      const ruc = company ? `20${String(100_000_00 + n).slice(-8)}` : `10${dni}`;
      const document = company ? `${ruc}${rucCheckDigit(ruc)}` : dni;
      const email = random() < 0.85 ? `${ascii(company ? last1 : first)}.${ascii(last1)}${n}@${pick(DOMAINS)}` : null;
      const phone = random() < 0.9 ? `+519${String(int(0, 99_999_999)).padStart(8, '0')}` : null;
      const advisor = options.advisorIds?.length ? options.advisorIds[n % options.advisorIds.length]! : null;
      const supervisor = options.supervisorIds?.length ? options.supervisorIds[n % options.supervisorIds.length]! : null;
      const contactability = random() < 0.85 ? 'contactable' : pick(['no_contactable', 'problemas_contactabilidad']);
      clientRows.push([tenantId, i, company ? 'RUC' : 'DNI', document, name, email, phone, pick(SEGMENTS), advisor, supervisor, contactability]);

      // The client's profile decides where its oldest unpaid order falls.
      const profile = random();
      const count = Math.max(1, Math.min(2 * perClient - 1, Math.round(perClient + (random() - 0.5) * 2 * (perClient - 1))));
      for (let k = 0; k < count; k++) {
        let offset: number;
        if (profile < 0.18) offset = -int(10, 400);
        else if (profile < 0.45) offset = int(0, 60);
        else if (profile < 0.65) offset = -int(1, 30);
        else if (profile < 0.77) offset = -int(31, 60);
        else if (profile < 0.87) offset = -int(61, 90);
        else offset = -int(91, 720);
        if (k > 0 && random() < 0.5) offset += int(15, 90);
        const due = addDays(today, offset);
        const amount = int(200, 20_000) * 100 + pick([0, 0, 50]);
        const interest = random() < 0.4 ? int(0, Math.floor(amount / 10)) : 0;
        const discounts = random() < 0.15 ? int(0, Math.floor(amount / 20)) : 0;
        const annulled = random() < 0.03;
        const settle = profile < 0.18 ? 'paid' : random() < 0.12 ? 'partial' : 'open';
        plannedOrders.push({
          client: i,
          settle,
          row: [tenantId, 0, i, '', pick(demoProducts), amount, interest, discounts, addDays(due, -int(30, 360)), due, annulled],
        });
      }
    }

    const clientBase = await reserveIds(database, 'clients', clientRows.length);
    firstClientId ??= clientBase;
    for (const row of clientRows) row[1] = clientBase + (row[1] as number);
    const orderBase = await reserveIds(database, 'payment_orders', plannedOrders.length);
    plannedOrders.forEach((o, k) => {
      o.row[1] = orderBase + k;
      o.row[2] = clientBase + o.client;
      o.row[3] = `OP-${String(orderBase + k).padStart(8, '0')}`;
      orderRows.push(o.row);
    });

    const plannedPayments: { row: Row; allocations: [number, number][] }[] = [];
    for (const order of plannedOrders) {
      const [, orderId, clientId, , , amount, interest, discounts, , due, annulled] = order.row as [number, number, number, string, string, number, number, number, string, string, boolean];
      const owed = amount + interest - discounts;
      if (annulled || owed <= 0) continue;
      const paidOn = due < today ? addDays(due, int(-5, 20)) : addDays(today, -int(0, 10));
      const on = paidOn > today ? today : paidOn;
      if (order.settle === 'paid') {
        plannedPayments.push({ row: [tenantId, 0, clientId, owed, on, pick(METHODS), `REF-${orderId}`, 'verificado'], allocations: [[orderId, owed]] });
      } else if (order.settle === 'partial') {
        const part = Math.max(1, Math.floor(owed * (0.2 + random() * 0.5)));
        const state = pick(['verificado', 'verificado', 'por_verificar', 'no_verificado', 'anulado']);
        plannedPayments.push({ row: [tenantId, 0, clientId, part, on, pick(METHODS), random() < 0.7 ? `REF-${orderId}` : null, state], allocations: [[orderId, part]] });
      }
    }
    const paymentBase = await reserveIds(database, 'payments', plannedPayments.length);
    plannedPayments.forEach((p, k) => {
      p.row[1] = paymentBase + k;
      paymentRows.push(p.row);
      for (const [orderId, amount] of p.allocations) allocationRows.push([tenantId, paymentBase + k, orderId, amount]);
    });

    const plannedPromises: Row[] = [];
    for (let i = 0; i < size; i++) {
      if (random() >= 0.08) continue;
      const madeOn = addDays(today, -int(0, 40));
      const promised = addDays(madeOn, int(1, 30));
      plannedPromises.push([tenantId, 0, clientBase + i, int(50, 2000) * 100, promised, madeOn, null]);
    }
    const promiseBase = await reserveIds(database, 'promises', plannedPromises.length);
    firstPromiseId ??= promiseBase;
    plannedPromises.forEach((p, k) => {
      p[0] = tenantId;
      p[1] = promiseBase + k;
      promiseRows.push(p);
    });

    await writeRows(database, CLIENTS, clientRows);
    await writeRows(database, ORDERS, orderRows);
    await writeRows(database, PAYMENTS, paymentRows);
    await writeRows(database, ALLOCATIONS, allocationRows);
    await writeRows(database, PROMISES, promiseRows);
    totals.clients += clientRows.length;
    totals.orders += orderRows.length;
    totals.payments += paymentRows.length;
    totals.promises += promiseRows.length;
    options.onProgress?.(totals.clients);
  }

  await refreshTenantDerived(database, tenantId, today);
  // One who owes nothing is offered no promise (the promise form refuses it): a promise made up
  // here and left unkept by a client whose orders all came out paid would read as broken for
  // nothing, so it goes.
  if (firstPromiseId !== null) {
    const [gone] = await database.query<{ n: number }>(
      `with gone as (delete from promises pr using clients c
                      where pr.tenant_id = $1 and pr.id >= $2 and pr.kept_on is null
                        and c.tenant_id = pr.tenant_id and c.id = pr.client_id and c.total_balance <= 0
                      returning 1)
       select count(*)::int as n from gone`,
      [tenantId, firstPromiseId],
    );
    totals.promises -= Number(gone?.n ?? 0);
  }
  if (options.history !== false && firstClientId !== null) await recordDemoHistory(database, tenantId, firstClientId);
  return totals;
}

/**
 * The events the generated orders, payments and promises would have recorded as staff worked
 * them (the same types and data as the services write), dated on their own days, for the
 * clients from `firstClientId` on. Broken promises are left to the daily job that records
 * them, as for any tenant.
 */
async function recordDemoHistory(database: Database, tenantId: number, firstClientId: number): Promise<void> {
  // In the working day in Lima (UTC−5) of the row's date, never later than now.
  const at = (day: string, hours: number) => `least((${day}::timestamp + interval '${hours} hours')::timestamptz, now())`;
  const event = (type: string, data: string, occurredAt: string, from: string, where = 'true') =>
    `select t.tenant_id, t.client_id, ${type}, null::bigint, ${data}, ${occurredAt} from ${from} t where t.tenant_id = $1 and t.client_id >= $2 and ${where}`;
  const allocated = `(select jsonb_agg(jsonb_build_object('orderId', a.order_id, 'paymentCode', o.payment_code, 'amount', a.amount) order by a.order_id)
                        from payment_allocations a join payment_orders o on o.tenant_id = a.tenant_id and o.id = a.order_id
                       where a.tenant_id = t.tenant_id and a.payment_id = t.id)`;
  await database.query(
    `insert into client_events (tenant_id, client_id, type, actor_id, data, occurred_at)
     ${[
       event(`'order.created'`, `jsonb_build_object('orderId', t.id, 'paymentCode', t.payment_code, 'amount', t.amount)`, at('t.issue_date', 14), 'payment_orders'),
       event(
         `'payment.registered'`,
         `jsonb_build_object('paymentId', t.id, 'amount', t.amount, 'paidOn', t.paid_on, 'method', t.method, 'reference', t.reference,
                             'orders', ${allocated}, 'from', null, 'to', 'por_verificar', 'source', 'staff')`,
         at('t.paid_on', 15),
         'payments',
       ),
       event(
         `case t.state when 'verificado' then 'payment.verified' when 'no_verificado' then 'payment.rejected' else 'payment.annulled' end`,
         `jsonb_build_object('paymentId', t.id, 'amount', t.amount, 'paidOn', t.paid_on, 'from', 'por_verificar', 'to', t.state)`,
         at('t.paid_on', 20),
         'payments',
         `t.state <> 'por_verificar'`,
       ),
       event(
         `'promise.made'`,
         `jsonb_build_object('promiseId', t.id, 'amount', t.amount, 'promisedDate', t.promised_date, 'from', null, 'to', 'pending', 'source', 'staff')`,
         at('t.made_on', 16),
         'promises',
       ),
       event(
         `'promise.kept'`,
         `jsonb_build_object('promiseId', t.id, 'amount', t.amount, 'promisedDate', t.promised_date, 'from', 'pending', 'to', 'kept')`,
         at('t.kept_on', 21),
         'promises',
         't.kept_on is not null',
       ),
     ].join(' union all ')}`,
    [tenantId, firstClientId],
  );
}

/** The derived columns of a whole tenant, set-wise: what each order was paid, then each client. */
export async function refreshTenantDerived(database: Database, tenantId: number, today: IsoDate): Promise<void> {
  await database.query(
    `update payment_orders o set paid = s.paid
       from (select a.order_id, sum(a.amount) as paid
               from payment_allocations a
               join payments p on p.tenant_id = a.tenant_id and p.id = a.payment_id and p.state = 'verificado'
              where a.tenant_id = $1
              group by a.order_id) s
      where o.tenant_id = $1 and o.id = s.order_id and o.paid <> s.paid`,
    [tenantId],
  );
  await database.query(
    `update clients c
        set unpaid_orders = s.unpaid, oldest_unpaid_due_date = s.oldest, total_balance = s.balance
       from (select client_id,
                    count(*) filter (where not annulled and balance > 0)::int as unpaid,
                    min(due_date) filter (where not annulled and balance > 0) as oldest,
                    coalesce(sum(balance) filter (where not annulled), 0)::bigint as balance
               from payment_orders where tenant_id = $1 group by client_id) s
      where c.tenant_id = $1 and c.id = s.client_id`,
    [tenantId],
  );
  // A promise is kept when verified payments made after it was given reach it by its date
  // (decision 0014). Rows written here carry no time of day, so a payment the same day as the
  // promise, which may have come before it, does not count.
  await database.query(
    `update promises pr set kept_on = least(pr.promised_date, $2::date)
      where pr.tenant_id = $1 and pr.kept_on is null
        and (select coalesce(sum(p.amount), 0) from payments p
              where p.tenant_id = pr.tenant_id and p.client_id = pr.client_id and p.state = 'verificado'
                and p.paid_on > pr.made_on and p.paid_on <= pr.promised_date) >= pr.amount`,
    [tenantId, today],
  );
}
