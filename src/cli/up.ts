// `skiff up`: a single-node cluster in the foreground. Today that is the
// control plane (store and API server); the scheduler, controllers and node
// agent join this command as they are built (see docs/architecture.md).

import { runForeground } from './server.ts';

export const up = (args: string[]) => runForeground('up', args);
