/**
 * Permissions of SPEC section 1. A role brings defaults; an admin may grant or remove
 * each one per user. `can` is the single check every route goes through.
 */
export const permissions = [
  'receivables',
  'clients.edit',
  'clients.delete',
  'claims.view',
  'claims.edit',
  'conversations',
  'strategies',
  'reports.download',
  'imports',
  'settings',
  'users',
] as const;

export type Permission = (typeof permissions)[number];
export type Role = 'admin' | 'supervisor' | 'advisor';
export const roles: readonly Role[] = ['admin', 'supervisor', 'advisor'];

const roleDefaults: Record<Role, readonly Permission[]> = {
  admin: permissions,
  supervisor: [
    'receivables',
    'clients.edit',
    'clients.delete',
    'claims.view',
    'claims.edit',
    'conversations',
    'strategies',
    'reports.download',
    'imports',
  ],
  advisor: ['receivables', 'claims.view', 'claims.edit', 'conversations'],
};

export function isPermission(value: string): value is Permission {
  return (permissions as readonly string[]).includes(value);
}

export function roleGrants(role: Role, permission: Permission): boolean {
  return roleDefaults[role].includes(permission);
}

export interface Grantee {
  role: Role;
  permissionOverrides: Record<string, boolean>;
  active: boolean;
}

export function can(user: Grantee | null | undefined, permission: Permission): boolean {
  if (!user || !user.active) return false;
  const override = user.permissionOverrides[permission];
  if (override === true) return true;
  if (override === false) return false;
  if (roleGrants(user.role, permission)) return true;
  return false;
}

export function effectivePermissions(user: Grantee): Permission[] {
  return permissions.filter((p) => can(user, p));
}

/** Keeps only the differences from the role's defaults, so a later role change still applies its defaults. */
export function overridesFor(role: Role, granted: ReadonlySet<Permission>): Record<string, boolean> {
  const overrides: Record<string, boolean> = {};
  for (const p of permissions) {
    const wanted = granted.has(p);
    if (wanted !== roleGrants(role, p)) overrides[p] = wanted;
  }
  return overrides;
}
