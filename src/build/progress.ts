// The build's step-by-step display: `[stage 2/7] RUN make` then CACHED, or
// the step's output indented and `DONE 1.2s`; on failure the step's output
// tail, its exit code and the Dockerfile line. `plain` writes lines (logs,
// CI); `tty` does the same with colour and overwrites the running step's
// line with its elapsed time.

export interface StepInfo {
  /** 1-based position among the build's steps, and their number. */
  n: number;
  total: number;
  stage: string;
  text: string;
  line: number;
}

export interface BuildProgress {
  start(step: StepInfo): void;
  cached(step: StepInfo): void;
  output(step: StepInfo, chunk: Buffer): void;
  done(step: StepInfo, ms: number): void;
  failed(step: StepInfo, ms: number, message: string): void;
  info(message: string): void;
}

export const silentProgress: BuildProgress = { start() {}, cached() {}, output() {}, done() {}, failed() {}, info() {} };

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function plainProgress(write: (s: string) => void, opts: { color?: boolean } = {}): BuildProgress {
  const c = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const head = (s: StepInfo) => c('1', `[${s.stage} ${s.n}/${s.total}]`);
  const partial = new Map<number, string>();
  return {
    start(s) {
      write(`${head(s)} ${s.text}\n`);
    },
    cached(s) {
      write(`${head(s)} ${s.text} ${c('36', 'CACHED')}\n`);
    },
    output(s, chunk) {
      const text = (partial.get(s.n) ?? '') + chunk.toString('utf8');
      const lines = text.split('\n');
      partial.set(s.n, lines.pop()!);
      for (const l of lines) write(c('2', `  ${l}`) + '\n');
    },
    done(s, ms) {
      const rest = partial.get(s.n);
      if (rest) write(c('2', `  ${rest}`) + '\n');
      partial.delete(s.n);
      write(`${head(s)} ${c('32', 'DONE')} ${secs(ms)}\n`);
    },
    failed(s, ms, message) {
      const rest = partial.get(s.n);
      if (rest) write(c('2', `  ${rest}`) + '\n');
      partial.delete(s.n);
      write(`${head(s)} ${c('31', 'ERROR')} ${secs(ms)}: ${message}\n`);
    },
    info(m) {
      write(`${m}\n`);
    },
  };
}

/** The terminal display: plain lines in colour, and a ticking elapsed time while a step runs without output. */
export function ttyProgress(stream: NodeJS.WriteStream): BuildProgress {
  const plain = plainProgress((s) => stream.write(s), { color: true });
  let timer: NodeJS.Timeout | undefined;
  let began = 0;
  let current: StepInfo | undefined;
  let ticking = false;
  const clear = () => {
    if (ticking) stream.write('\r\x1b[2K');
    ticking = false;
  };
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    clear();
  };
  return {
    start(s) {
      stop();
      plain.start(s);
      current = s;
      began = Date.now();
      timer = setInterval(() => {
        if (!current) return;
        stream.write(`\r\x1b[2K\x1b[2m  ... ${secs(Date.now() - began)}\x1b[0m`);
        ticking = true;
      }, 200);
      timer.unref();
    },
    cached(s) {
      stop();
      plain.cached(s);
    },
    output(s, chunk) {
      clear();
      plain.output(s, chunk);
    },
    done(s, ms) {
      stop();
      current = undefined;
      plain.done(s, ms);
    },
    failed(s, ms, m) {
      stop();
      current = undefined;
      plain.failed(s, ms, m);
    },
    info(m) {
      clear();
      plain.info(m);
    },
  };
}
