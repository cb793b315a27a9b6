import { sql } from 'drizzle-orm';
import { closeClaim, openClaim } from '../claims/service.js';
import { claimCategories } from '../claims/schema.js';
import { rows, type Db } from '../db/index.js';
import { systemClock } from '../platform/clock.js';
import type { Tenant } from '../tenants/schema.js';
import { findUserByEmail } from '../users/queries.js';
import { createUser } from '../users/service.js';
import { DEMO } from './tenant.js';

/** The demo's collections team, who sign in with the admin's password. */
export const DEMO_STAFF = [
  { name: 'Sara Supervisora', email: 'supervisora@demo.saldo.pe', role: 'supervisor' },
  { name: 'Luis Asesor', email: 'luis@demo.saldo.pe', role: 'advisor' },
  { name: 'Ana Asesora', email: 'ana@demo.saldo.pe', role: 'advisor' },
  { name: 'Jorge Asesor', email: 'jorge@demo.saldo.pe', role: 'advisor' },
] as const;

/** The demo's supervisor and advisors (created once), to assign the demo's clients to. */
export async function ensureDemoStaff(db: Db, tenant: Tenant): Promise<{ supervisorIds: number[]; advisorIds: number[] }> {
  const ids = { supervisorIds: [] as number[], advisorIds: [] as number[] };
  for (const person of DEMO_STAFF) {
    let user = await findUserByEmail(db, tenant.id, person.email);
    if (!user) {
      const made = await createUser({ tenantId: tenant.id, actor: null, db, clock: systemClock }, { ...person, password: DEMO.admin.password });
      if (!made.ok) throw new Error(`Could not create the demo user ${person.email}`);
      user = made.user;
    }
    (person.role === 'supervisor' ? ids.supervisorIds : ids.advisorIds).push(user.id);
  }
  return ids;
}

const DESCRIPTIONS: Record<(typeof claimCategories)[number], string> = {
  condiciones_contractuales: 'El cliente indica que la tasa aplicada no es la que firmó en el contrato.',
  errores_facturacion: 'La cuota del mes figura dos veces en el estado de cuenta.',
  problemas_pago: 'Pagó por transferencia y el pago no aparece aplicado.',
  problemas_producto: 'Reporta que la tarjeta fue bloqueada sin aviso.',
};

/**
 * Claims on some of the demo's clients with unpaid orders, through the claims' own use case
 * (so situation and counters stay exact): every 12th such client, the category in turn; one
 * in three is closed already, so the tray shows both states.
 */
export async function seedDemoClaims(db: Db, tenant: Tenant): Promise<number> {
  const candidates = await rows<{ client_id: number; order_id: number }>(
    db,
    sql`select distinct on (c.id) c.id as client_id, o.id as order_id
          from clients c join payment_orders o on o.tenant_id = c.tenant_id and o.client_id = c.id and not o.annulled and o.balance > 0
         where c.tenant_id = ${tenant.id} and c.deleted_at is null and c.id % 12 = 0
         order by c.id, o.due_date`,
  );
  const scope = { tenantId: tenant.id, actor: null, db, clock: systemClock };
  let opened = 0;
  for (const [i, candidate] of candidates.entries()) {
    const category = claimCategories[i % claimCategories.length]!;
    const result = await openClaim(scope, { clientId: Number(candidate.client_id), category, orderIds: [Number(candidate.order_id)], description: DESCRIPTIONS[category], comments: null });
    if (!result.ok) continue;
    opened++;
    if (i % 3 === 2) await closeClaim(scope, result.claim.id);
  }
  return opened;
}
