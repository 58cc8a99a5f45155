import { TargetError, cancelledError, timeoutError } from "./errors";

// One statement's watch: a client-side deadline and the caller's abort signal. Whichever trips first rejects
// every `race`d promise with a TargetError ("timeout" or "cancelled") and runs the `onTrip` hook once (the
// targets cancel the query on the server and drop the connection there).
//
// The server-side statement timeout is the first line; this deadline sits a little later (GRACE_MS) and only
// fires when the server or the network did not answer in time.

export const GRACE_MS = 500;

type Trip = "timeout" | "cancelled";

export class StatementWatch {
  #tripped: Trip | undefined;
  #hooks: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  #reject!: (error: TargetError) => void;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.#trip("cancelled");
  readonly #tripPromise: Promise<never>;

  constructor(
    readonly timeoutMs: number,
    signal?: AbortSignal,
  ) {
    this.#tripPromise = new Promise<never>((_, reject) => (this.#reject = reject));
    this.#tripPromise.catch(() => undefined);
    this.#signal = signal;
    if (signal?.aborted) {
      this.#trip("cancelled");
      return;
    }
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#timer = setTimeout(() => this.#trip("timeout"), timeoutMs + GRACE_MS);
  }

  /** "timeout" or "cancelled" once tripped. */
  get tripped(): Trip | undefined {
    return this.#tripped;
  }

  /** Throws the trip's error if the watch has already tripped. */
  check(): void {
    if (this.#tripped !== undefined) throw this.#error(this.#tripped);
  }

  /** Runs `hook` when the watch trips (at once if it already has). */
  onTrip(hook: () => void): void {
    if (this.#tripped !== undefined) hook();
    else this.#hooks.push(hook);
  }

  /** `work`, unless the watch trips first. A late rejection of `work` is swallowed. */
  race<T>(work: Promise<T>): Promise<T> {
    work.catch(() => undefined);
    return Promise.race([work, this.#tripPromise]);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#hooks = [];
  }

  #trip(reason: Trip): void {
    if (this.#tripped !== undefined) return;
    this.#tripped = reason;
    clearTimeout(this.#timer);
    this.#reject(this.#error(reason));
    const hooks = this.#hooks;
    this.#hooks = [];
    for (const hook of hooks) {
      try {
        hook();
      } catch {
        // a failed best-effort cancel must not hide the trip
      }
    }
  }

  #error(reason: Trip): TargetError {
    return reason === "timeout" ? timeoutError(this.timeoutMs) : cancelledError();
  }
}

/** A positive whole number of milliseconds (guards the value interpolated into SET statements). */
export function wholeMs(ms: number): number {
  if (!Number.isFinite(ms) || ms < 1) return 1;
  return Math.min(Math.round(ms), 2_147_483_647);
}

/** A non-negative whole row limit. */
export function wholeLimit(limit: number): number {
  if (!Number.isFinite(limit) || limit < 0) return 0;
  return Math.floor(limit);
}

/** How long close() waits for a pool to end (a connection still handshaking holds pg's end() for its connect timeout). */
export const POOL_END_WAIT_MS = 2_000;

/** Waits for `work` to settle, at most `ms`; never rejects. */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
