import { Hono } from 'hono';
import { PermissionsForm, UserForm, UsersList } from '../../views/users/users.js';
import { requirePermission } from '../platform/auth/middleware.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { forbiddenPage, notFoundPage } from '../platform/errors.js';
import { setFlash } from '../platform/flash.js';
import { formValues, parseWith } from '../platform/forms.js';
import type { Permission } from '../platform/permissions.js';
import { redirectTo, render } from '../platform/render.js';
import { findUser, listUsers } from './queries.js';
import { createUser, NewUserSchema, PermissionsSchema, setPermissions, updateUser, UserChangesSchema } from './service.js';

function scopeOf(c: AppContext) {
  return { tenantId: c.var.tenant.id, actor: c.var.user!, db: c.var.deps.database.db, clock: c.var.deps.clock };
}

function userId(c: AppContext): number | null {
  const id = Number(c.req.param('id'));
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** Ajustes > Usuarios: staff accounts and their permissions. */
export const userRoutes = new Hono<AppEnv>()
  .use(requirePermission(forbiddenPage, 'users'))
  .get('/', async (c) => {
    const users = await listUsers(c.var.deps.database.db, c.var.tenant.id);
    return render(c, { title: c.var.t('users.title'), body: <UsersList users={users} /> });
  })
  .get('/new', (c) => render(c, { title: c.var.t('users.new'), body: <UserForm values={{}} /> }))
  .post('/', async (c) => {
    const values = await formValues(c);
    const parsed = parseWith(NewUserSchema, values);
    const result = parsed.ok ? await createUser(scopeOf(c), parsed.value) : parsed;
    if (!result.ok) {
      return render(c, { title: c.var.t('users.new'), status: 422, body: <UserForm values={values as Record<string, string>} errors={result.errors} /> });
    }
    setFlash(c, 'success', 'users.created', { email: result.user.email });
    return redirectTo(c, '/app/settings/users');
  })
  .get('/:id/edit', async (c) => {
    const id = userId(c);
    const user = id && (await findUser(c.var.deps.database.db, c.var.tenant.id, id));
    if (!user) return notFoundPage(c);
    return render(c, { title: c.var.t('users.edit'), body: <UserForm user={user} values={user} /> });
  })
  .post('/:id', async (c) => {
    const id = userId(c);
    const user = id && (await findUser(c.var.deps.database.db, c.var.tenant.id, id));
    if (!user) return notFoundPage(c);
    const values = await formValues(c);
    const parsed = parseWith(UserChangesSchema, values);
    const result = parsed.ok ? await updateUser(scopeOf(c), user.id, parsed.value) : parsed;
    if (!result.ok) {
      if ('notFound' in result) return notFoundPage(c);
      const shown = { ...(values as Record<string, string>), active: 'active' in values };
      return render(c, { title: c.var.t('users.edit'), status: 422, body: <UserForm user={user} values={shown} errors={result.errors} /> });
    }
    setFlash(c, 'success', 'users.updated');
    return redirectTo(c, '/app/settings/users');
  })
  .get('/:id/permissions', async (c) => {
    const id = userId(c);
    const user = id && (await findUser(c.var.deps.database.db, c.var.tenant.id, id));
    if (!user) return notFoundPage(c);
    return render(c, { title: c.var.t('users.permissions'), body: <PermissionsForm user={user} /> });
  })
  .post('/:id/permissions', async (c) => {
    const id = userId(c);
    const user = id && (await findUser(c.var.deps.database.db, c.var.tenant.id, id));
    if (!user) return notFoundPage(c);
    const parsed = parseWith(PermissionsSchema, await formValues(c));
    const granted = (parsed.ok ? parsed.value.permissions : []) as Permission[];
    const result = await setPermissions(scopeOf(c), user.id, granted);
    if (!result.ok) {
      if ('notFound' in result) return notFoundPage(c);
      return render(c, {
        title: c.var.t('users.permissions'),
        status: 422,
        body: <PermissionsForm user={user} granted={new Set(granted)} errors={result.errors} />,
      });
    }
    setFlash(c, 'success', 'users.permissionsSaved');
    return redirectTo(c, '/app/settings/users');
  });
