import { and, eq, isNull, or, sql } from 'drizzle-orm';
import { clients } from '../clients/schema.js';
import type { Db } from '../db/index.js';
import { clientEvents } from '../events/schema.js';
import type { JobDefinition, Jobs } from '../jobs/index.js';
import { translator } from '../platform/i18n/index.js';
import type { Scope } from '../platform/scope.js';
import { tenantUrl } from '../platform/tenancy.js';
import { tenants } from '../tenants/schema.js';
import { users } from '../users/schema.js';
import { alerts, type Alert, type AlertKind } from './schema.js';

export interface RaiseInput {
  tenantId: number;
  clientId: number;
  kind: AlertKind;
  source: string;
  note: string | null;
  now: Date;
}

/**
 * Raises an alert for the client's advisor (or, without one, their supervisor) and records it
 * in the client's history. While one
 * of the same kind is open, asking again adds to the history only: the advisor gets one
 * alert to attend, not a pile. Returns the new alert, or null when one was already open.
 */
export async function raiseAlert(db: Db, input: RaiseInput): Promise<Alert | null> {
  const [client] = await db
    .select({ advisorId: clients.advisorId, supervisorId: clients.supervisorId })
    .from(clients)
    .where(and(eq(clients.tenantId, input.tenantId), eq(clients.id, input.clientId)));
  if (!client) return null;
  const [alert] = await db
    .insert(alerts)
    // Someone must hear about it: a client without an advisor goes to their supervisor.
    .values({ tenantId: input.tenantId, clientId: input.clientId, kind: input.kind, source: input.source, advisorId: client.advisorId ?? client.supervisorId, note: input.note, createdAt: input.now })
    .onConflictDoNothing()
    .returning();
  await db.insert(clientEvents).values({
    tenantId: input.tenantId,
    clientId: input.clientId,
    type: 'alert.raised',
    actorId: null,
    data: { kind: input.kind, source: input.source, alertId: alert?.id ?? null, repeated: !alert },
    occurredAt: input.now,
  });
  return alert ?? null;
}

/** Marks an open alert as attended; attending it twice is harmless. */
/**
 * Marks an alert attended, once: 'unknown' when the tenant has no such alert, 'already' when
 * someone attended it first (a double tap, two advisors at once).
 */
export async function resolveAlert(scope: Scope, alertId: number): Promise<Alert | 'already' | 'unknown'> {
  return scope.db.transaction(async (tx) => {
    const [alert] = await tx
      .update(alerts)
      .set({ resolvedAt: scope.clock.now(), resolvedById: scope.actor?.id ?? null })
      .where(and(eq(alerts.tenantId, scope.tenantId), eq(alerts.id, alertId), isNull(alerts.resolvedAt)))
      .returning();
    if (!alert) {
      const [stored] = await tx.select({ id: alerts.id }).from(alerts).where(and(eq(alerts.tenantId, scope.tenantId), eq(alerts.id, alertId)));
      return stored ? 'already' : 'unknown';
    }
    await tx.insert(clientEvents).values({
      tenantId: scope.tenantId,
      clientId: alert.clientId,
      type: 'alert.resolved',
      actorId: scope.actor?.id ?? null,
      data: { kind: alert.kind, alertId: alert.id },
      occurredAt: scope.clock.now(),
    });
    return alert;
  });
}

export type AlertRow = Awaited<ReturnType<typeof listOpenAlerts>>[number];

/**
 * Open alerts, the oldest first (they have waited longest): everyone's, or with `advisorId`
 * that advisor's and those nobody owns (a client without an advisor), so that an alert no
 * one is assigned does not wait unseen under "Todas".
 */
export async function listOpenAlerts(db: Db, tenantId: number, options: { advisorId?: number; clientId?: number; limit?: number } = {}) {
  return db
    .select({
      id: alerts.id,
      kind: alerts.kind,
      source: alerts.source,
      note: alerts.note,
      createdAt: alerts.createdAt,
      clientId: alerts.clientId,
      clientName: clients.name,
      documentType: clients.documentType,
      documentNumber: clients.documentNumber,
      phone: clients.phone,
      advisorId: alerts.advisorId,
      advisorName: users.name,
    })
    .from(alerts)
    .innerJoin(clients, and(eq(clients.tenantId, alerts.tenantId), eq(clients.id, alerts.clientId)))
    .leftJoin(users, and(eq(users.tenantId, alerts.tenantId), eq(users.id, alerts.advisorId)))
    .where(
      and(
        eq(alerts.tenantId, tenantId),
        isNull(alerts.resolvedAt),
        // "Mine": addressed to them, of the clients they advise or supervise now, or to no one.
        options.advisorId !== undefined
          ? or(eq(alerts.advisorId, options.advisorId), isNull(alerts.advisorId), eq(clients.advisorId, options.advisorId), eq(clients.supervisorId, options.advisorId))
          : undefined,
        options.clientId !== undefined ? eq(alerts.clientId, options.clientId) : undefined,
      ),
    )
    .orderBy(alerts.createdAt, alerts.id)
    .limit(options.limit ?? 200);
}

/**
 * Emails the advisor about a new alert, once: `notified_at` is set in the same statement that
 * claims the alert, so a retried job does not send again.
 */
export const notifyAlertJob: JobDefinition<{ tenantId: number; alertId: number }> = {
  name: 'alerts.notify',
  async run(deps, { tenantId, alertId }) {
    const { db } = deps.database;
    const [claimed] = await db
      .update(alerts)
      .set({ notifiedAt: deps.clock.now() })
      .where(and(eq(alerts.tenantId, tenantId), eq(alerts.id, alertId), isNull(alerts.notifiedAt), sql`${alerts.advisorId} is not null`))
      .returning();
    if (!claimed) return;
    const [row] = await db
      .select({ email: users.email, language: users.language, clientName: clients.name, subdomain: tenants.subdomain, kind: alerts.kind })
      .from(alerts)
      .innerJoin(users, and(eq(users.tenantId, alerts.tenantId), eq(users.id, alerts.advisorId)))
      .innerJoin(clients, and(eq(clients.tenantId, alerts.tenantId), eq(clients.id, alerts.clientId)))
      .innerJoin(tenants, eq(tenants.id, alerts.tenantId))
      .where(and(eq(alerts.tenantId, tenantId), eq(alerts.id, alertId)));
    if (!row) return;
    const t = translator(row.language === 'en' ? 'en' : 'es');
    const link = tenantUrl(deps.config, { subdomain: row.subdomain }, `/app/clients/${claimed.clientId}`);
    await deps.mailer.send(db, tenantId, {
      to: row.email,
      subject: t(`alerts.mail.subject.${row.kind}`, { name: row.clientName }),
      text: t(`alerts.mail.body.${row.kind}`, { name: row.clientName, link }),
    });
  },
};

/** Queues the advisor's email; without queues (a bare script), nothing is sent. */
export async function notifyAdvisor(jobs: Jobs | undefined, alert: Alert | null): Promise<void> {
  if (!jobs || !alert || alert.advisorId === null) return;
  await jobs.send(notifyAlertJob, { tenantId: alert.tenantId, alertId: alert.id }, { singletonKey: `alert-${alert.tenantId}-${alert.id}` });
}
