// Build errors a user reads: `Dockerfile:7: COPY failed: ...`. Every error
// from parsing, planning or running a step carries the Dockerfile's name and
// the line of the instruction (1-based), and for a failed RUN its exit code
// and the tail of its output.

export class BuildError extends Error {
  override name = 'BuildError';
  constructor(
    /** The reason, without the location. */
    readonly reason: string,
    /** The Dockerfile as the user named it (`Dockerfile`, `build/Dockerfile.dev`). */
    readonly file?: string,
    /** 1-based line of the instruction. */
    readonly line?: number,
    readonly extra: { exitCode?: number; output?: string } = {},
  ) {
    super(file && line ? `${file}:${line}: ${reason}` : file ? `${file}: ${reason}` : reason);
  }

  get exitCode(): number | undefined {
    return this.extra.exitCode;
  }

  get output(): string | undefined {
    return this.extra.output;
  }

  /** The same error, located at `file:line` when it was not yet. */
  at(file: string, line: number): BuildError {
    if (this.line !== undefined) return this;
    return new BuildError(this.reason, file, line, this.extra);
  }
}

/** Wraps any error as a BuildError at the given location. */
export function locate(e: unknown, file: string, line: number): BuildError {
  if (e instanceof BuildError) return e.at(file, line);
  return new BuildError(e instanceof Error ? e.message : String(e), file, line);
}
