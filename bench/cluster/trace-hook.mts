// Loaded into `skiff up` with `--import` by bench/cluster/phases.mts: writes
// a timeline of the start (one JSON line per event, to $SKIFF_TRACE_FILE)
// without changing the code under test. It times every child process
// (node:child_process, patched and re-synced into ESM importers), the
// start() of each long-lived part (API server, controllers, scheduler, agent
// server, DNS, routes, service proxy, agent), the static opens (tokens,
// image store), and the node's registration and first Ready status as the
// agent's requests complete. Times are epoch milliseconds.

import childProcess from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';

const file = process.env.SKIFF_TRACE_FILE;
const now = () => performance.timeOrigin + performance.now();
const emit = (e: Record<string, unknown>) => {
  if (file) appendFileSync(file, JSON.stringify(e) + '\n');
};

emit({ ev: 'process', at: performance.timeOrigin });
emit({ ev: 'hook', at: now() });

// --- child processes --------------------------------------------------------
const cp = childProcess as unknown as Record<string, (...a: unknown[]) => unknown>;
const label = (a: unknown[]) => [a[0], ...(Array.isArray(a[1]) ? (a[1] as unknown[]).slice(0, 3) : [])].join(' ');
for (const name of ['execFileSync', 'spawnSync', 'execSync']) {
  const orig = cp[name]!;
  cp[name] = function (this: unknown, ...a: unknown[]) {
    const t = now();
    try {
      return orig.apply(this, a);
    } finally {
      emit({ ev: 'exec', sync: true, cmd: label(a), at: t, ms: now() - t });
    }
  };
}
for (const name of ['spawn', 'execFile']) {
  const orig = cp[name]!;
  cp[name] = function (this: unknown, ...a: unknown[]) {
    const t = now();
    const child = orig.apply(this, a) as childProcess.ChildProcess;
    child.once('exit', () => emit({ ev: 'exec', sync: false, cmd: label(a), at: t, ms: now() - t }));
    return child;
  };
}
syncBuiltinESMExports();

// --- the parts' start() -----------------------------------------------------
const src = join(import.meta.dirname, '..', '..', 'src');
const tImport = now();
type Cls = { prototype: Record<string, (...a: unknown[]) => unknown> } & Record<string, unknown>;
const parts: [string, string, string][] = [
  ['apiserver/server.ts', 'ApiServer', 'start'],
  ['controllers/manager.ts', 'ControllerManager', 'start'],
  ['controllers/manager.ts', 'ControllerManager', 'waitLeading'],
  ['scheduler/scheduler.ts', 'Scheduler', 'start'],
  ['metrics/controlplane.ts', 'ControlPlaneMonitoring', 'start'],
  ['agent/server/server.ts', 'AgentServer', 'start'],
  ['network/dns/server.ts', 'DnsServer', 'start'],
  ['network/routes.ts', 'RouteSync', 'start'],
  ['network/proxy/proxier.ts', 'ServiceProxy', 'start'],
  ['agent/agent.ts', 'Agent', 'start'],
];
for (const [path, cls, method] of parts) {
  const C = (await import(join(src, path)))[cls] as Cls;
  const orig = C.prototype[method]!;
  C.prototype[method] = async function (this: unknown, ...a: unknown[]) {
    const t = now();
    try {
      return await orig.apply(this, a);
    } finally {
      emit({ ev: 'part', name: `${cls}.${method}`, at: t, ms: now() - t });
    }
  };
}
for (const [path, cls, method] of [
  ['apiserver/auth/tokens.ts', 'TokenAuthenticator', 'open'],
  ['engine/image/service.ts', 'LocalImageService', 'open'],
] as const) {
  const C = (await import(join(src, path)))[cls] as Cls;
  const orig = C[method] as (...a: unknown[]) => unknown;
  C[method] = function (this: unknown, ...a: unknown[]) {
    const t = now();
    const r = orig.apply(this, a);
    const done = () => emit({ ev: 'part', name: `${cls}.${method}`, at: t, ms: now() - t });
    if (r instanceof Promise) return r.finally(done);
    done();
    return r;
  };
}

// --- the node's registration and first Ready, as the agent's requests complete ---
const { Client } = (await import(join(src, 'client/rest.ts'))) as { Client: Cls };
const request = Client.prototype.request!;
let ready = false;
Client.prototype.request = async function (this: unknown, ...a: unknown[]) {
  const spec = a[0] as { method: string; path: string; body?: { status?: { conditions?: { type: string; status: string }[] } } };
  const t = now();
  const r = await request.apply(this, a);
  if (spec.method === 'POST' && spec.path === '/api/v1/nodes') emit({ ev: 'node-registered', at: t, ms: now() - t });
  if (!ready && /^\/api\/v1\/nodes\/[^/]+\/status/.test(spec.path) && spec.body?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) {
    ready = true;
    emit({ ev: 'node-ready', at: t, ms: now() - t });
  }
  return r;
};
emit({ ev: 'hook-imports', at: tImport, ms: now() - tImport });
