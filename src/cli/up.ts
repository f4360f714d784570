// `skiff up`: a single-node cluster in the foreground: the control plane
// (store, API server, controllers, scheduler) and a node (engine, agent,
// service proxy, DNS) in one process; with --nodes N, N-1 more nodes as
// `skiff agent`s in their own network namespaces (cluster.ts).

import { controlPlaneFlags, runForeground } from './server.ts';

const upFlags = {
  ...controlPlaneFlags,
  'node-name': { type: 'string' as const, help: "this node's name (default: the host name)" },
  'node-ip': { type: 'string' as const, help: "this node's address (default: the address of the default route's interface)" },
  nodes: { type: 'string' as const, help: 'how many nodes (default 1); nodes 2..N are agents in their own network namespaces (root)' },
};

export const up = (args: string[]) => runForeground('up', args, upFlags, { node: true });
