// `skiff doctor`: the preflight checks, printed. Exit 0 when nothing failed
// (warnings allowed), 1 otherwise.

import { parseFlags, usageOf, type FlagSpec } from './args.ts';
import { formatChecks, realHost, runChecks } from './preflight.ts';
import { DEFAULT_API_PORT } from './controlplane.ts';

const spec: FlagSpec = {
  port: { type: 'string', help: `the API port to check is free (default ${DEFAULT_API_PORT})` },
};

export async function doctor(args: string[]): Promise<number> {
  const { flags } = parseFlags(args, spec, usageOf('doctor [flags]', spec));
  const port = flags.port === undefined ? DEFAULT_API_PORT : Number(flags.port);
  const results = await runChecks(realHost, { port });
  console.log(formatChecks(results));
  const failed = results.filter((r) => r.level === 'fail').length;
  console.log(failed === 0 ? '\nskiff doctor: this machine can run a Skiff node.' : `\nskiff doctor: ${failed} check(s) failed; fix them and run skiff doctor again.`);
  return failed === 0 ? 0 : 1;
}
