// Bearer-token authentication: a token file in the data dir maps tokens to
// users and groups. The admin token (group system:masters) is made on first
// start; node tokens are added as nodes join.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface UserInfo {
  name: string;
  groups: string[];
}

interface TokenEntry extends UserInfo {
  token: string;
}

export class TokenAuthenticator {
  private entries: TokenEntry[];

  private constructor(
    private readonly path: string,
    entries: TokenEntry[],
  ) {
    this.entries = entries;
  }

  /** Loads the token file at `path`, creating it with an admin token when absent. */
  static open(path: string): TokenAuthenticator {
    if (!existsSync(path)) {
      const auth = new TokenAuthenticator(path, []);
      auth.add({ name: 'admin', groups: ['system:masters', 'system:authenticated'] });
      return auth;
    }
    const entries = JSON.parse(readFileSync(path, 'utf8')) as TokenEntry[];
    return new TokenAuthenticator(path, entries);
  }

  /** Issues a new token for a user and saves it. */
  add(user: UserInfo): string {
    const token = randomBytes(24).toString('base64url');
    this.entries.push({ ...user, token });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.entries, null, 2), { mode: 0o600 });
    renameSync(tmp, this.path);
    return token;
  }

  tokenFor(name: string): string | undefined {
    return this.entries.find((e) => e.name === name)?.token;
  }

  /** The user a request's Authorization header names, or undefined. */
  authenticate(authorization: string | undefined): UserInfo | undefined {
    if (!authorization?.startsWith('Bearer ')) return undefined;
    const given = Buffer.from(authorization.slice(7).trim());
    for (const e of this.entries) {
      const want = Buffer.from(e.token);
      if (want.length === given.length && timingSafeEqual(want, given)) return { name: e.name, groups: e.groups };
    }
    return undefined;
  }
}
