// Kubernetes' slowStartBatch: run `count` calls in batches of 1, 2, 4, ...
// so a template that cannot create pods (quota, admission) fails once
// instead of flooding the API server with doomed requests.

/** Answers how many calls succeeded and the first error (after which no new batch starts). */
export async function slowStartBatch(count: number, initialBatch: number, fn: (i: number) => Promise<void>): Promise<{ succeeded: number; error?: unknown }> {
  let remaining = count;
  let succeeded = 0;
  let index = 0;
  for (let batch = Math.min(remaining, initialBatch); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn(index++)));
    let error: unknown;
    for (const r of results) {
      if (r.status === 'fulfilled') succeeded++;
      else error ??= r.reason;
    }
    if (error !== undefined) return { succeeded, error };
    remaining -= batch;
  }
  return { succeeded };
}
