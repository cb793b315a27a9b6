import { and, eq, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import { clientsWithActiveCampaign } from '../campaigns/service.js';
import type { Db } from '../db/index.js';
import type { IsoDate } from '../platform/dates.js';
import { recordClientEvent } from '../events/record.js';
import { isUniqueViolation, type Scope } from '../platform/scope.js';
import { userPreferences, users } from '../users/schema.js';
import { clientVariablesFor, type ClientFields } from './fields.js';
import { clients, type Client } from './schema.js';

export type FieldErrors = Record<string, string>;
export type ClientResult = { ok: true; client: Client } | { ok: false; errors: FieldErrors } | { ok: false; notFound: true };
export type StateResult = { ok: true; client: Client } | { ok: false; error: string } | { ok: false; notFound: true };

const DOCUMENT_INDEX = 'clients_document';

/** The fields staff edit, in the order a change is reported. */
const editable = [
  'documentType',
  'documentNumber',
  'name',
  'email',
  'phone',
  'segment',
  'status',
  'supervisorId',
  'advisorId',
  'contactability',
  'contactAlerts',
  'portfolio',
  'additional',
] as const satisfies readonly (keyof ClientFields & keyof Client)[];

type Change = [before: unknown, after: unknown];

function changesBetween(before: Partial<Client>, after: ClientFields): Record<string, Change> {
  const changes: Record<string, Change> = {};
  for (const field of editable) {
    const was = before[field] ?? null;
    const now = after[field] ?? null;
    if (JSON.stringify(was) !== JSON.stringify(now)) changes[field] = [was, now];
  }
  return changes;
}

/** Assignees must be active staff of the same tenant; anything else is refused on its field. */
async function checkAssignees(
  db: Db,
  tenantId: number,
  input: Pick<ClientFields, 'supervisorId' | 'advisorId'>,
  current: Partial<Pick<Client, 'supervisorId' | 'advisorId'>> = {},
): Promise<FieldErrors> {
  // Keeping an assignee who has since been deactivated is not a new assignment.
  const supervisorId = input.supervisorId === current.supervisorId ? null : input.supervisorId;
  const advisorId = input.advisorId === current.advisorId ? null : input.advisorId;
  const wanted = [supervisorId, advisorId].filter((id): id is number => id !== null);
  if (wanted.length === 0) return {};
  const found = await db
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), inArray(users.id, wanted), eq(users.active, true)));
  const roles = new Map(found.map((u) => [u.id, u.role]));
  const errors: FieldErrors = {};
  // A supervisor supervises advisors: an advisor is no one's supervisor (the form does not offer them).
  if (supervisorId !== null) {
    const role = roles.get(supervisorId);
    if (role === undefined) errors.supervisorId = 'clients.error.userInvalid';
    else if (role === 'advisor') errors.supervisorId = 'clients.error.supervisorRole';
  }
  if (advisorId !== null && !roles.has(advisorId)) errors.advisorId = 'clients.error.userInvalid';
  return errors;
}

export async function createClient(scope: Scope, input: ClientFields): Promise<ClientResult> {
  try {
    return await scope.db.transaction(async (tx) => {
      const errors = await checkAssignees(tx, scope.tenantId, input);
      if (Object.keys(errors).length > 0) return { ok: false, errors } as const;
      const now = scope.clock.now();
      const [client] = await tx
        .insert(clients)
        .values({ tenantId: scope.tenantId, ...input, createdAt: now, updatedAt: now })
        .returning();
      await recordClientEvent(scope, tx, client!.id, 'client.created', { changes: changesBetween({}, input) });
      return { ok: true, client: client! } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error, DOCUMENT_INDEX)) return { ok: false, errors: { documentNumber: 'clients.error.documentTaken' } };
    throw error;
  }
}

/**
 * Edits a client that is not deleted (a deleted one is restored first). A client in an active
 * charged-off campaign stays in cartera castigada while it lasts (SPEC 5).
 */
export async function updateClient(scope: Scope, clientId: number, input: ClientFields, today: IsoDate): Promise<ClientResult> {
  try {
    return await scope.db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(clients)
        .where(and(eq(clients.tenantId, scope.tenantId), eq(clients.id, clientId), isNull(clients.deletedAt)))
        .for('update');
      if (!current) return { ok: false, notFound: true } as const;
      const errors = await checkAssignees(tx, scope.tenantId, input, current);
      if (current.portfolio === 'castigada' && input.portfolio === 'vigente' && (await clientsWithActiveCampaign(tx, scope.tenantId, [clientId], today)).has(clientId)) {
        errors.portfolio = 'clients.error.portfolioInCampaign';
      }
      if (Object.keys(errors).length > 0) return { ok: false, errors } as const;
      // Values under keys the tenant no longer defines stay stored: the form does not show them,
      // and a variable made again with the same key brings them back (decision 0020).
      const defined = new Set((await clientVariablesFor(tx, scope.tenantId)).map((variable) => variable.key));
      const kept = Object.fromEntries(Object.entries(current.additional).filter(([key]) => !defined.has(key)));
      const next = { ...input, additional: { ...kept, ...input.additional } };
      const changes = changesBetween(current, next);
      if (Object.keys(changes).length === 0) return { ok: true, client: current } as const;
      const [client] = await tx
        .update(clients)
        // The checked fields are the client's columns, one for one (clientFieldsSchema).
        .set({ ...next, updatedAt: scope.clock.now() })
        .where(and(eq(clients.tenantId, scope.tenantId), eq(clients.id, clientId)))
        .returning();
      await recordClientEvent(scope, tx, clientId, 'client.updated', { changes });
      return { ok: true, client: client! } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error, DOCUMENT_INDEX)) return { ok: false, errors: { documentNumber: 'clients.error.documentTaken' } };
    throw error;
  }
}

/** Soft delete: the row and everything hanging from it stay, so a restore loses nothing. */
export async function deleteClient(scope: Scope, clientId: number): Promise<StateResult> {
  return scope.db.transaction(async (tx) => {
    const now = scope.clock.now();
    const [client] = await tx
      .update(clients)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(clients.tenantId, scope.tenantId), eq(clients.id, clientId), isNull(clients.deletedAt)))
      .returning();
    if (!client) return { ok: false, notFound: true } as const;
    await recordClientEvent(scope, tx, clientId, 'client.deleted');
    return { ok: true, client } as const;
  });
}

/** Brings a deleted client back, unless a live client has taken its document meanwhile. */
export async function restoreClient(scope: Scope, clientId: number): Promise<StateResult> {
  try {
    return await scope.db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(clients)
        .where(and(eq(clients.tenantId, scope.tenantId), eq(clients.id, clientId), isNotNull(clients.deletedAt)))
        .for('update');
      if (!current) return { ok: false, notFound: true } as const;
      const [taken] = await tx
        .select({ id: clients.id })
        .from(clients)
        .where(
          and(
            eq(clients.tenantId, scope.tenantId),
            eq(clients.documentType, current.documentType),
            eq(clients.documentNumber, current.documentNumber),
            isNull(clients.deletedAt),
            ne(clients.id, clientId),
          ),
        )
        .limit(1);
      if (taken) return { ok: false, error: restoreTaken(current) } as const;
      const [client] = await tx
        .update(clients)
        .set({ deletedAt: null, updatedAt: scope.clock.now() })
        .where(and(eq(clients.tenantId, scope.tenantId), eq(clients.id, clientId)))
        .returning();
      await recordClientEvent(scope, tx, clientId, 'client.restored');
      return { ok: true, client: client! } as const;
    });
  } catch (error) {
    // Another restore or create took the document between the check and the update.
    if (isUniqueViolation(error, DOCUMENT_INDEX)) {
      const [current] = await scope.db
        .select()
        .from(clients)
        .where(and(eq(clients.tenantId, scope.tenantId), eq(clients.id, clientId)));
      return { ok: false, error: restoreTaken(current!) };
    }
    throw error;
  }
}

function restoreTaken(client: Pick<Client, 'documentType' | 'documentNumber'>): string {
  return `clients.error.restoreTaken?${new URLSearchParams({ document: `${client.documentType} ${client.documentNumber}` })}`;
}

/** Remembers per user which tray columns they chose. */
export async function saveColumnChoice(scope: Scope, key: string, columns: string[]): Promise<void> {
  const userId = scope.actor!.id;
  await scope.db
    .insert(userPreferences)
    .values({ tenantId: scope.tenantId, userId, key, value: columns, updatedAt: scope.clock.now() })
    .onConflictDoUpdate({
      target: [userPreferences.tenantId, userPreferences.userId, userPreferences.key],
      set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` },
    });
}
