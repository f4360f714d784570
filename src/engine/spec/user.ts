// Resolves a container's user (`uid`, `uid:gid`, `name`, `name:group` from
// the image, or runAsUser/runAsGroup) against the rootfs' /etc/passwd and
// /etc/group, as runc and containerd do: a name with no entry is an error, a
// bare uid takes its gid from passwd (0 when absent), and the user's
// supplementary groups come from /etc/group.

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** Home directory from passwd (for HOME), when known. */
  home?: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export function parsePasswd(text: string): PasswdEntry[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 7 && /^\d+$/.test(f[2]!) && /^\d+$/.test(f[3]!))
    .map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! }));
}

export function parseGroup(text: string): GroupEntry[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 4 && /^\d+$/.test(f[2]!))
    .map((f) => ({ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').filter(Boolean) }));
}

export class UserError extends Error {}

const isId = (s: string) => /^\d+$/.test(s);

export function resolveUser(opts: { imageUser?: string; runAsUser?: number; runAsGroup?: number; supplementalGroups?: number[]; passwd?: string; group?: string }): ResolvedUser {
  const passwd = parsePasswd(opts.passwd ?? '');
  const groups = parseGroup(opts.group ?? '');
  const [userPart, groupPart] = (opts.imageUser ?? '').split(':', 2) as [string, string | undefined];
  let entry: PasswdEntry | undefined;
  let uid: number;
  if (opts.runAsUser !== undefined) {
    uid = opts.runAsUser;
    entry = passwd.find((p) => p.uid === uid);
  } else if (userPart === '') {
    uid = 0;
    entry = passwd.find((p) => p.uid === 0);
  } else if (isId(userPart)) {
    uid = Number(userPart);
    entry = passwd.find((p) => p.uid === uid);
  } else {
    entry = passwd.find((p) => p.name === userPart);
    if (!entry) throw new UserError(`unable to find user ${userPart}: no matching entries in passwd file`);
    uid = entry.uid;
  }
  let gid = entry?.gid ?? 0;
  if (opts.runAsGroup !== undefined) gid = opts.runAsGroup;
  else if (groupPart !== undefined && groupPart !== '' && opts.runAsUser === undefined) {
    if (isId(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw new UserError(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  const additional = new Set<number>();
  if (entry) for (const g of groups) if (g.members.includes(entry.name) && g.gid !== gid) additional.add(g.gid);
  for (const g of opts.supplementalGroups ?? []) additional.add(g);
  return { uid, gid, additionalGids: [...additional], ...(entry ? { home: entry.home } : {}) };
}

/**
 * The kubelet's runAsNonRoot check, on what the pod and image say (not on
 * passwd): a message when the container would run as root or cannot be shown
 * not to (a user name), undefined when it is fine.
 */
export function checkRunAsNonRoot(o: { runAsUser?: number; imageUser?: string; pod: { name: string; namespace: string; uid: string }; container: string }): string | undefined {
  const where = `(pod: ${JSON.stringify(`${o.pod.name}_${o.pod.namespace}(${o.pod.uid})`)}, container: ${o.container})`;
  if (o.runAsUser !== undefined) return o.runAsUser === 0 ? `container's runAsUser breaks non-root policy ${where}` : undefined;
  const user = (o.imageUser ?? '').split(':')[0]!;
  if (user === '' || (isId(user) && Number(user) === 0)) return `container has runAsNonRoot and image will run as root ${where}`;
  if (!isId(user)) return `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root ${where}`;
  return undefined;
}
