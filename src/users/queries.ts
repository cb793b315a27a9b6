import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { users, type User } from './schema.js';

export async function listUsers(db: Db, tenantId: number): Promise<User[]> {
  return db.select().from(users).where(eq(users.tenantId, tenantId)).orderBy(asc(users.name), asc(users.id));
}

/** Every user of the tenant as an upload may name them (see StaffRef). */
export async function staffRefs(db: Db, tenantId: number): Promise<{ id: number; email: string; name: string; role: string; active: boolean }[]> {
  return db.select({ id: users.id, email: users.email, name: users.name, role: users.role, active: users.active }).from(users).where(eq(users.tenantId, tenantId));
}

export async function findUser(db: Db, tenantId: number, userId: number): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.id, userId)))
    .limit(1);
  return user;
}

export async function findUserByEmail(db: Db, tenantId: number, email: string): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), sql`lower(${users.email}) = ${email.trim().toLowerCase()}`))
    .limit(1);
  return user;
}

/** Active staff of a role (or any), for assignment pickers and filters. */
export async function listStaff(db: Db, tenantId: number, role?: User['role']): Promise<Pick<User, 'id' | 'name' | 'role'>[]> {
  return db
    .select({ id: users.id, name: users.name, role: users.role })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.active, true), role ? eq(users.role, role) : undefined))
    .orderBy(asc(users.name));
}
