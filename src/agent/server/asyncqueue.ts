// A small unbounded async queue: a producer pushes, one consumer iterates
// with `for await`; end() finishes the iteration. Terminal resizes flow
// through it from the stream protocol to the runtime.

export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private waiter?: () => void;
  private ended = false;

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.waiter?.();
  }

  end(): void {
    this.ended = true;
    this.waiter?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      while (this.items.length) yield this.items.shift()!;
      if (this.ended) return;
      await new Promise<void>((r) => (this.waiter = r));
      this.waiter = undefined;
    }
  }
}
