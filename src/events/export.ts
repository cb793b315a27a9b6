import { and, eq } from 'drizzle-orm';
import { clientVariablesFor } from '../clients/fields.js';
import { clients } from '../clients/schema.js';
import { clientEventsFrom, countClientEvents } from '../clients/queries.js';
import { registerExport, type ExportSource } from '../exports/registry.js';
import { dateTimeIn } from '../platform/dates.js';
import { formatMoney } from '../platform/money.js';
import { listUsers } from '../users/queries.js';
import { actorOf, changeLines, detailLines, eventLabel } from './describe.js';

const BATCH = 5_000;

/**
 * "Descargar" on a client's Interacciones: every event, newest first as the page lists them,
 * with when (the tenant's local time), what, who, and the lines the page shows under it.
 */
export const interactionsExport: ExportSource = {
  kind: 'interactions',
  permissions: ['receivables'],
  trayPath: (query) => (/^\d+$/.test(query.client ?? '') ? `/app/clients/${query.client}/interactions` : '/app/clients'),
  async prepare({ db, tenant, query, t }) {
    const clientId = Number(query.client);
    const valid = Number.isSafeInteger(clientId) && clientId > 0;
    const [client] = valid ? await db.select({ name: clients.name }).from(clients).where(and(eq(clients.tenantId, tenant.id), eq(clients.id, clientId))) : [];
    return {
      ...(client ? { about: client.name } : {}),
      headers: [t('events.export.when'), t('events.export.event'), t('events.export.who'), t('events.export.detail')],
      kinds: ['datetime', null, null, null],
      count: async () => (valid ? countClientEvents(db, tenant.id, clientId) : 0),
      async *batches() {
        if (!valid) return;
        // Staff named in edits (supervisor, advisor) are looked up when the file is made, not when it is asked for.
        const names = {
          people: new Map((await listUsers(db, tenant.id)).map((u) => [u.id, u.name])),
          variables: new Map((await clientVariablesFor(db, tenant.id)).map((variable) => [variable.key, variable.label])),
        };
        const money = (minor: number) => formatMoney(minor, tenant.currency, tenant.locale);
        // One client's history is short (hundreds of events): it is paged by offset, in the
        // page's own order, rather than by a key the order does not follow.
        for (let offset = 0; ; offset += BATCH) {
          const events = await clientEventsFrom(db, tenant.id, clientId, offset, BATCH);
          if (events.length === 0) return;
          yield events.map((e) => [
            dateTimeIn(tenant.timezone, e.occurredAt),
            eventLabel(t, e.type),
            actorOf(t, e),
            [...changeLines(t, e.data, names, money), ...detailLines(t, e.data, money)].join('; '),
          ]);
          if (events.length < BATCH) return;
        }
      },
    };
  },
};

registerExport(interactionsExport);
