// A small flag parser: --name value, --name=value, boolean --flag. Unknown
// flags are errors that name the flag and the command's usage.

export class UsageError extends Error {}

export interface FlagSpec {
  [name: string]: { type: 'string' | 'boolean'; help: string };
}

export function parseFlags(args: string[], spec: FlagSpec, usage: string): { flags: Record<string, string | boolean>; rest: string[] } {
  const flags: Record<string, string | boolean> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      rest.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const def = spec[name];
    if (!def) throw new UsageError(`unknown flag --${name}\n${usage}`);
    if (def.type === 'boolean') {
      flags[name] = eq < 0 ? true : a.slice(eq + 1) !== 'false';
    } else {
      const v = eq < 0 ? args[++i] : a.slice(eq + 1);
      if (v === undefined || v === '') throw new UsageError(`flag --${name} needs a value\n${usage}`);
      flags[name] = v;
    }
  }
  return { flags, rest };
}

export function usageOf(command: string, spec: FlagSpec): string {
  const lines = Object.entries(spec).map(([n, d]) => `  --${n}${d.type === 'string' ? ' VALUE' : ''}\t${d.help}`);
  return `usage: skiff ${command}\n${lines.join('\n')}`;
}
