import { closedError } from "./errors";
import { POOL_END_WAIT_MS, settleWithin } from "./watch";

// What every target does around its calls: count them in flight, refuse new ones once closing, and close its
// pool only after those in flight have settled.

export class InFlight {
  readonly #running = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  async track<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) throw closedError();
    const running = work();
    this.#running.add(running);
    try {
      return await running;
    } finally {
      this.#running.delete(running);
    }
  }

  /** Waits for the calls in flight, then ends the pool (waiting at most POOL_END_WAIT_MS for it). Idempotent. */
  close(endPool: () => Promise<unknown>): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#running]);
      await settleWithin(endPool(), POOL_END_WAIT_MS);
    })();
    return this.#closing;
  }
}

export function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
