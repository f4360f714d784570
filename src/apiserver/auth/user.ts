// Who a request comes from, as Kubernetes' user.Info: name, uid, groups,
// extra. The well-known users and groups are Kubernetes' own names.

export interface User {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const ANONYMOUS_USER = 'system:anonymous';
export const GROUP_UNAUTHENTICATED = 'system:unauthenticated';
export const GROUP_AUTHENTICATED = 'system:authenticated';
export const GROUP_MASTERS = 'system:masters';

export const ANONYMOUS: User = { name: ANONYMOUS_USER, groups: [GROUP_UNAUTHENTICATED] };

/** Every authenticated user is in system:authenticated (added once). */
export function withAuthenticated(u: User): User {
  return u.groups.includes(GROUP_AUTHENTICATED) ? u : { ...u, groups: [...u.groups, GROUP_AUTHENTICATED] };
}
