import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a cluster keeps its state when --data-dir is not given: /var/lib/skiff for root, ~/.local/share/skiff otherwise. */
export function defaultDataDir(): string {
  if (process.getuid?.() === 0) return '/var/lib/skiff';
  return join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'skiff');
}
