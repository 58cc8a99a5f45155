import { compilePolicy, defaultPolicy, type CompiledPolicy } from "../../lib/policy";
import { policiesInForce } from "../../lib/store/policies";
import type { Store } from "../../lib/store/client";
import type { Logger } from "../../lib/log";

// The policies in force, compiled once per change. Every gateway process polls the store for a change
// (cheap: count and newest update time) and recompiles only when something changed.

export class PolicyCache {
  private compiled: CompiledPolicy;
  private stamp = "";
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly intervalMs = 1_000,
  ) {
    // Until the store answers, the built-in defaults hold: fail closed, never open.
    this.compiled = compilePolicy([defaultPolicy()]);
  }

  current(): CompiledPolicy {
    return this.compiled;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async load(): Promise<void> {
    const summary = await this.store.policy.aggregate({ _count: { _all: true }, _max: { updatedAt: true } });
    const stamp = `${summary._count._all}:${summary._max.updatedAt?.toISOString() ?? ""}`;
    if (stamp === this.stamp) return;
    const policies = await policiesInForce(this.store, {
      onInvalid: (name, errors) => this.log.error("policy.invalid", { policy: name, errors: errors.slice(0, 5) }),
    });
    this.compiled = compilePolicy(policies);
    this.stamp = stamp;
    this.log.info("policy.compiled", { policies: policies.map((policy) => policy.id) });
  }
}
