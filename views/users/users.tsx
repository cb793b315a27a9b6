import type { User } from '../../src/users/schema.js';
import { can, permissions, roleGrants, roles, type Permission } from '../../src/platform/permissions.js';
import { Checkbox, ErrorSummary, Field, PostForm, Select, type FieldErrors } from '../components/forms.js';
import { DataTable } from '../components/table.js';
import { useView } from '../context.js';

export function UsersList(props: { users: User[] }) {
  const { t } = useView();
  return (
    <>
      <div class="page-header">
        <h1>{t('users.title')}</h1>
        <a class="button primary" href="/app/settings/users/new">
          {t('users.new')}
        </a>
      </div>
      <DataTable
        rows={props.users}
        columns={[
          { heading: t('users.name'), cell: (u) => u.name },
          { heading: t('users.email'), cell: (u) => u.email },
          { heading: t('users.role'), cell: (u) => t(`role.${u.role}`) },
          {
            heading: t('users.status'),
            cell: (u) => <span class={`badge ${u.active ? 'badge-ok' : 'badge-muted'}`}>{t(u.active ? 'users.statusActive' : 'users.statusInactive')}</span>,
          },
          {
            heading: t('common.actions'),
            kind: 'actions',
            cell: (u) => (
              <>
                <a href={`/app/settings/users/${u.id}/edit`}>{t('common.edit')}</a>
                <a href={`/app/settings/users/${u.id}/permissions`}>{t('users.permissions')}</a>
              </>
            ),
          },
        ]}
      />
    </>
  );
}

type UserFormValues = { name?: string; email?: string; role?: string; active?: boolean };

export function UserForm(props: { user?: User; values: UserFormValues; errors?: FieldErrors }) {
  const { t } = useView();
  const editing = Boolean(props.user);
  return (
    <>
      <h1>{t(editing ? 'users.edit' : 'users.new')}</h1>
      <ErrorSummary errors={props.errors} />
      <PostForm action={editing ? `/app/settings/users/${props.user!.id}` : '/app/settings/users'}>
        <Field name="name" label={t('users.name')} value={props.values.name} required errors={props.errors} maxlength={120} />
        <Field name="email" type="email" label={t('users.email')} value={props.values.email} required errors={props.errors} autocomplete="off" />
        <Select name="role" label={t('users.role')} value={props.values.role ?? 'advisor'} options={roles.map((r) => ({ value: r, label: t(`role.${r}`) }))} errors={props.errors} />
        {editing ? (
          <Checkbox name="active" label={t('users.active')} checked={props.values.active ?? true} />
        ) : (
          <Field name="password" type="password" label={t('users.password')} hint={t('users.passwordHint')} required errors={props.errors} autocomplete="new-password" />
        )}
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('common.save')}
          </button>
          <a href="/app/settings/users">{t('common.cancel')}</a>
        </div>
      </PostForm>
    </>
  );
}

export function PermissionsForm(props: { user: User; granted?: Set<Permission>; errors?: FieldErrors }) {
  const { t } = useView();
  const user = props.user;
  const granted = props.granted ?? new Set(permissions.filter((p) => can(user, p)));
  return (
    <>
      <h1>{t('users.permissionsOf', { name: user.name })}</h1>
      <p>{t('users.permissionsIntro')}</p>
      <ErrorSummary errors={props.errors} />
      <PostForm action={`/app/settings/users/${user.id}/permissions`}>
        <fieldset>
          <legend>
            {t('users.permissions')} · {t(`role.${user.role}`)}
          </legend>
          {permissions.map((p) => (
            <Checkbox
              name="permissions"
              value={p}
              label={t(`permission.${p}`)}
              checked={granted.has(p)}
              hint={granted.has(p) === roleGrants(user.role, p) ? `(${t('users.roleDefault')})` : `(${t('users.override')})`}
            />
          ))}
        </fieldset>
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('common.save')}
          </button>
          <a href="/app/settings/users">{t('common.cancel')}</a>
        </div>
      </PostForm>
    </>
  );
}
