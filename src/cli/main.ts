// The `skiff` command: dispatches to one module per subcommand.

import { UsageError } from './args.ts';
import { up } from './up.ts';
import { server } from './server.ts';
import { kubectl } from './kubectl.ts';
import { doctor } from './doctor.ts';
import { down } from './down.ts';
import { runImageCommand } from './image.ts';
import { runBootstrapCommand, runBuildCommand } from './build.ts';
import { defaultDataDir } from './datadir.ts';

const HELP = `skiff: a Kubernetes-compatible container platform

usage: skiff COMMAND [flags]

commands:
  up        bring up a cluster in the foreground (one node; --nodes N for more)
  down      remove what skiff up left on this machine (containers, network, rules); --purge the data too
  server    run the control plane (API server) in the foreground
  agent     run a node that joins a cluster (skiff agent --server URL --token T --ca-cert-hash sha256:...)
  token     make join tokens for agents (skiff token create [--ttl 24h]), list or delete them
  kubectl   run kubectl against this machine's cluster
  build     build an image from a Dockerfile (skiff build -t NAME:TAG [--push] DIR)
  image     pull, push, list, remove, inspect, import, export, tag and bootstrap (base) images
  user      make a user with a client certificate and its kubeconfig (skiff user create NAME --group G)
  doctor    check that this machine can run a node (kernel, cgroups, runc, conmon, nft, ports)
  version   print the version
  help      this text`;

/** The data dir image and build commands work on: SKIFF_DATA_DIR, or the default cluster's. */
const dataDir = () => process.env.SKIFF_DATA_DIR ?? defaultDataDir();

const commands: Record<string, (args: string[]) => Promise<number>> = {
  up,
  server,
  kubectl,
  doctor,
  down,
  agent: async (args) => (await import('./agent.ts')).agent(args),
  token: async (args) => (await import('./token.ts')).token(args),
  user: async (args) => (await import('./user.ts')).user(args),
  image: (args) => (args[0] === 'bootstrap' ? runBootstrapCommand(args.slice(1), { dataDir: dataDir() }) : runImageCommand(args, { dataDir: dataDir() })),
  build: (args) => runBuildCommand(args, { dataDir: dataDir() }),
  version: async () => {
    console.log('skiff v0.1.0');
    return 0;
  },
  help: async () => {
    console.log(HELP);
    return 0;
  },
};

async function main(argv: string[]): Promise<number> {
  const [cmd = 'help', ...rest] = argv;
  const run = commands[cmd === '--help' || cmd === '-h' ? 'help' : cmd];
  if (!run) {
    console.error(`skiff: unknown command "${cmd}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`skiff ${cmd}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
