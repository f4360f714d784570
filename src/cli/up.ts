// `skiff up`: a single-node cluster in the foreground: the control plane
// (store, API server, controllers, scheduler) and a node (engine, agent,
// service proxy, DNS) in one process.

import { controlPlaneFlags, runForeground } from './server.ts';

const upFlags = {
  ...controlPlaneFlags,
  'node-name': { type: 'string' as const, help: "this node's name (default: the host name)" },
  'node-ip': { type: 'string' as const, help: "this node's address (default: the address of the default route's interface)" },
};

export const up = (args: string[]) => runForeground('up', args, upFlags, { node: true });
