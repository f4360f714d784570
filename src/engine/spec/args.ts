// The process a container runs, by Kubernetes' rules ("Define a Command and
// Arguments for a Container"): `command` replaces the image's ENTRYPOINT and,
// given alone, drops its CMD too; `args` replaces CMD.

import type { OciImageConfig } from '../images.ts';

export function containerArgs(image: OciImageConfig['config'], command?: string[], args?: string[]): string[] {
  const entrypoint = image?.Entrypoint ?? [];
  const cmd = image?.Cmd ?? [];
  if (command?.length) return [...command, ...(args ?? [])];
  if (args?.length) return [...entrypoint, ...args];
  return [...entrypoint, ...cmd];
}

/** Image ENV overridden (in place) and extended by the container's env, as containerd merges them. */
export function mergeEnv(imageEnv: string[], envs: { name: string; value: string }[]): string[] {
  const out: string[] = [];
  const at = new Map<string, number>();
  const put = (name: string, line: string) => {
    const i = at.get(name);
    if (i === undefined) {
      at.set(name, out.length);
      out.push(line);
    } else out[i] = line;
  };
  for (const line of imageEnv) {
    const eq = line.indexOf('=');
    put(eq < 0 ? line : line.slice(0, eq), line);
  }
  for (const e of envs) put(e.name, `${e.name}=${e.value}`);
  return out;
}
