// The search parameters of the list pages (their `validateSearch`), built from the API's own input
// schemas: the URL holds a list's state, so a reload or a shared link shows the same rows.
import { type AuditFilter, ListInvitationsInput, ListProjectsInput, ListUsersInput } from '@keel/api/schemas';
import { z } from 'zod';

/** Where a signed-in person lands when nothing else was asked for. */
export const HOME_PATH = '/projects';

const projects = ListProjectsInput.shape;
const users = ListUsersInput.unwrap().shape;

/**
 * What a value falls back to, and what is left out of the URL (`stripSearchParams`): `/projects`
 * alone is the first page, newest first.
 */
export const PROJECTS_SEARCH_DEFAULTS = { sort: '-createdAt', page: 1, scope: 'mine' } as const;
/**
 * `/projects?team=&q=&sort=&page=&scope=`. A URL can be typed by hand: each malformed value falls back
 * to its default (`.catch`) instead of failing the page — except `team`, kept as typed: falling back
 * to the personal projects would put a project created from a mistyped team link in the wrong place,
 * so the page says "No such team" instead (`teamOf`).
 */
export const ProjectsSearch = z.object({
  team: z.string().optional().catch(undefined),
  q: projects.search.catch(undefined),
  sort: projects.sort.catch(PROJECTS_SEARCH_DEFAULTS.sort),
  page: projects.page.catch(PROJECTS_SEARCH_DEFAULTS.page),
  scope: projects.scope.catch(PROJECTS_SEARCH_DEFAULTS.scope),
});
export type ProjectsSearch = z.output<typeof ProjectsSearch>;

/**
 * Which projects `/projects` lists: the caller's personal ones (no `?team=`), a team's (a well-formed
 * id), or none at all (a malformed id: no team has it, so the page says so without asking the server).
 */
export function teamOf(
  search: Pick<ProjectsSearch, 'team'>,
): { kind: 'personal' } | { kind: 'team'; teamId: string } | { kind: 'malformed' } {
  if (search.team === undefined) return { kind: 'personal' };
  const input = projects.teamId.safeParse(search.team);
  return input.success && input.data ? { kind: 'team', teamId: input.data } : { kind: 'malformed' };
}

export const ADMIN_USERS_SEARCH_DEFAULTS = { sort: '-createdAt', page: 1 } as const;
/** `/admin/users?q=&sort=&role=&active=&page=`, malformed values falling back as for projects. */
export const AdminUsersSearch = z.object({
  q: users.search.catch(undefined),
  sort: users.sort.catch(ADMIN_USERS_SEARCH_DEFAULTS.sort),
  role: users.role.catch(undefined),
  active: users.active.catch(undefined),
  page: users.page.catch(ADMIN_USERS_SEARCH_DEFAULTS.page),
});
export type AdminUsersSearch = z.output<typeof AdminUsersSearch>;

/** `/admin/invitations?status=`: no status (or a malformed one) lists every invitation. */
export const AdminInvitationsSearch = z.object({
  status: ListInvitationsInput.shape.status.catch(undefined),
});
export type AdminInvitationsSearch = z.output<typeof AdminInvitationsSearch>;

/** `/teams/$teamId?status=`: the team's invitations, filtered by status as the admin list is. */
export const TeamSearch = z.object({
  status: ListInvitationsInput.shape.status.catch(undefined),
});
export type TeamSearch = z.output<typeof TeamSearch>;

/**
 * The audit filters stay as typed: the page checks them with `AuditListInput` and shows a bad one
 * next to its field (and no rows), where a fallback would silently list everything instead.
 */
const AsTyped = z.string().optional().catch(undefined);
export const AuditSearch = z.object({
  userId: AsTyped,
  targetId: AsTyped,
  action: AsTyped,
  from: AsTyped,
  to: AsTyped,
} satisfies Record<keyof typeof AuditFilter.shape, typeof AsTyped>);
export type AuditSearch = z.output<typeof AuditSearch>;

/**
 * A list's query input from its search parameters: `q` is the procedure's `search`, and an empty
 * search (`?q=` typed by hand) is no search.
 */
export function listInputOf<S extends { q?: string | undefined }>({
  q,
  ...rest
}: S): Omit<S, 'q'> & { search?: string } {
  return q ? { ...rest, search: q } : rest;
}

/** The filters actually set: a key left empty (`?userId=`) filters nothing. */
export function withoutEmpty(search: Record<string, string | undefined>): Record<string, string> {
  const set: Record<string, string> = {};
  for (const [key, value] of Object.entries(search)) {
    if (value !== undefined && value !== '') set[key] = value;
  }
  return set;
}

/**
 * `?token=` of a link from a mail (`/reset-password`, `/verify-email`, `/confirm-email`, `/invite`, `/team-invite`), kept as typed: the page
 * checks it with the procedure's own `LinkToken` and says what is wrong with the link, where a
 * fallback would only fail later.
 */
export const LinkSearch = z.object({ token: AsTyped });
export type LinkSearch = z.output<typeof LinkSearch>;

/**
 * A same-origin path of the dashboard, as apps/server's `safeReturnTo` checks it: `/x`, never
 * `//host` or `/\host` (a backslash reads as a slash), nor a control character (browsers drop them).
 */
function isSameOriginPath(value: string): boolean {
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return false;
  return ![...value].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
}

/** `?sso_step=` of the code step after a single sign-on. */
export const SSO_CODE_STEP = 'code';

/**
 * `/sign-in?sso_error=`: why a single sign-on did not sign in (apps/server's OIDC callback), kept as
 * typed: the page shows the API's sentence for a known code and a generic one for any other.
 * `?sso_step=code&returnTo=`: the single sign-on asked for the code of the account's two-step
 * verification (its challenge is in an HttpOnly cookie, never in the address), then lands on
 * `returnTo`, a same-origin path (anything else is dropped, so the page is no open redirect).
 */
export const SignInSearch = z.object({
  sso_error: AsTyped,
  sso_step: z.literal(SSO_CODE_STEP).optional().catch(undefined),
  returnTo: z.string().max(512).refine(isSameOriginPath).optional().catch(undefined),
});
export type SignInSearch = z.output<typeof SignInSearch>;

/** What the account page's link of single sign-on comes back with: `?linked=sso` on success. */
export const LINKED_SSO = 'sso';

/** `/account?sso_error=&linked=`: the outcome of linking single sign-on, shown once. */
export const AccountSearch = z.object({
  sso_error: AsTyped,
  linked: z.literal(LINKED_SSO).optional().catch(undefined),
});
export type AccountSearch = z.output<typeof AccountSearch>;
