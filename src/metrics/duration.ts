// Go's time.Duration.String(), which metav1.Duration fields (the `window`
// of NodeMetrics and PodMetrics) are written in: "15s", "1m0.5s", "250ms".

export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let ns = Math.round(Math.abs(ms) * 1e6);
  let out: string;
  if (ns < 1e9) {
    // Below a second Go picks the largest unit that keeps the integer part non-zero.
    if (ns < 1e3) out = `${ns}ns`;
    else if (ns < 1e6) out = `${trim(ns / 1e3)}µs`;
    else out = `${trim(ns / 1e6)}ms`;
  } else {
    const h = Math.floor(ns / 3.6e12);
    ns -= h * 3.6e12;
    const m = Math.floor(ns / 6e10);
    ns -= m * 6e10;
    const s = trim(ns / 1e9);
    out = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
  }
  return neg ? `-${out}` : out;
}

/** Up to 9 decimals, trailing zeros dropped (Go prints exact nanoseconds). */
function trim(n: number): string {
  return n.toFixed(9).replace(/\.?0+$/, '');
}
