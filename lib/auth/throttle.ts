// Slows password guessing: after `maxFailures` failed sign-ins for one key (an e-mail address) within `windowMs`,
// further attempts for that key are refused until the window has passed. In memory, per process: the dashboard
// runs as one process, and a restart forgiving old failures is acceptable.

export interface ThrottleOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  /** Keys tracked at most; the oldest are forgotten first. */
  readonly maxKeys?: number;
}

export class FailureThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly options: ThrottleOptions) {}

  /** Whether another attempt for the key is allowed now. */
  allows(key: string, now: number): boolean {
    return this.recent(key, now).length < this.options.maxFailures;
  }

  recordFailure(key: string, now: number): void {
    const times = this.recent(key, now);
    times.push(now);
    this.failures.delete(key);
    this.failures.set(key, times);
    const maxKeys = this.options.maxKeys ?? 10_000;
    while (this.failures.size > maxKeys) this.failures.delete(this.failures.keys().next().value as string);
  }

  recordSuccess(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const since = now - this.options.windowMs;
    const times = (this.failures.get(key) ?? []).filter((at) => at > since);
    if (times.length === 0) this.failures.delete(key);
    return times;
  }
}
