import { createContext, useContext } from 'hono/jsx';
import type { Flash } from '../src/platform/flash.js';
import type { Language, Translate } from '../src/platform/i18n/index.js';
import type { Permission } from '../src/platform/permissions.js';
import type { Tenant } from '../src/tenants/schema.js';
import type { User } from '../src/users/schema.js';

/** What every view may read: the language, the tenant's formats, the user and the request's tokens. */
export interface ViewContext {
  t: Translate;
  lang: Language;
  tenant: Tenant | undefined;
  user: User | undefined;
  can(permission: Permission): boolean;
  csrfToken: string;
  asset(name: string): string;
  /** The request's path, for marking the current navigation entry. */
  path: string;
  flash: Flash | undefined;
  requestId: string;
  money(minor: number | bigint | null | undefined): string;
  /** A calendar date (YYYY-MM-DD) or an instant, in the tenant's locale and timezone. */
  date(value: string | Date | null | undefined): string;
  dateTime(value: Date | string | null | undefined): string;
  number(value: number): string;
}

export const View = createContext<ViewContext | null>(null);

export function useView(): ViewContext {
  const view = useContext(View);
  if (!view) throw new Error('A view was rendered outside the View context');
  return view;
}
