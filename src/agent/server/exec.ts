// An exec or attach session, whatever carries it (WebSocket channels or SPDY
// streams): run it on the runtime with the session's streams, then report
// how it ended as a metav1.Status — Success, or NonZeroExitCode with the exit
// code as an ExitCode cause (kubectl exits with that code), or InternalError.

import type { Readable, Writable } from 'node:stream';
import type { Runtime, TerminalSize } from '../../engine/runtime.ts';

export interface ExecStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes: { reason?: string; message: string }[] };
}

/** The client's side of a session, as the transport presents it. */
export interface ExecStreams {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  resize?: AsyncIterable<TerminalSize>;
  writeStatus(s: ExecStatus): Promise<void>;
  close(): void;
}

export const SUCCESS: ExecStatus = { metadata: {}, status: 'Success' };

export function nonZeroExit(cmd: string[], exitCode: number): ExecStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: command '${cmd.join(' ')}' exited with ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

export function internalErrorStatus(message: string): ExecStatus {
  return { metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', code: 500, details: { causes: [{ message }] } };
}

export async function runExecSession(runtime: Runtime, containerId: string, cmd: string[], tty: boolean, s: ExecStreams): Promise<void> {
  let status: ExecStatus;
  try {
    const r = await runtime.exec(containerId, { cmd, tty, stdin: s.stdin, stdout: s.stdout, stderr: tty ? undefined : s.stderr, resize: s.resize });
    status = r.exitCode === 0 ? SUCCESS : nonZeroExit(cmd, r.exitCode);
  } catch (e) {
    status = internalErrorStatus((e as Error).message);
  }
  await finish(s, status);
}

export async function runAttachSession(runtime: Runtime, containerId: string, tty: boolean, s: ExecStreams): Promise<void> {
  let status = SUCCESS;
  try {
    await runtime.attach(containerId, { tty, stdin: s.stdin, stdout: s.stdout, stderr: tty ? undefined : s.stderr, resize: s.resize });
  } catch (e) {
    status = internalErrorStatus((e as Error).message);
  }
  await finish(s, status);
}

async function finish(s: ExecStreams, status: ExecStatus): Promise<void> {
  // Output the runtime wrote goes out before the status that ends the session.
  await Promise.all([s.stdout, s.stderr].map((w) => (w && !w.writableFinished ? new Promise<void>((r) => w.end(r)) : undefined)));
  await s.writeStatus(status);
  s.close();
}
