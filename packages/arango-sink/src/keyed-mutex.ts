/**
 * An in-process mutex per key: `run(key, fn)` runs `fn` after every earlier `run` with the same
 * key has settled; different keys run concurrently.
 *
 * Why the store needs it: arangojs sends at most `poolSize` requests at once (3 by default). A
 * stream transaction holding an exclusive collection lock needs a free slot for each of its steps;
 * if the slots were all taken by other requests of the same process waiting server-side for that
 * very lock, nothing would move until the lock timed out. Queuing this process's writers of a
 * locked collection here, before they take a slot, removes that self-deadlock. Other processes
 * are still serialised by the server's lock.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` exclusively for `key`; resolves or rejects with `fn`'s outcome. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    try {
      await previous;
      return await fn();
    } finally {
      release();
      // Forget the key once nobody queued behind this run, so the map does not grow forever.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with a run in progress or queued (for tests and diagnostics). */
  get activeKeys(): number {
    return this.tails.size;
  }
}
