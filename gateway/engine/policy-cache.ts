import { compilePolicy, defaultPolicy, validatePolicy, type CompiledPolicy, type Policy } from "../../lib/policy";
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
    const rows = await this.store.policy.findMany({
      where: { enabled: true },
      orderBy: [{ priority: "asc" }, { name: "asc" }],
      select: { id: true, name: true, document: true },
    });
    const policies: Policy[] = [];
    for (const row of rows) {
      const parsed = validatePolicy(row.document);
      if (parsed.ok) policies.push(parsed.policy);
      else this.log.error("policy.invalid", { policy: row.name, errors: parsed.errors.slice(0, 5) });
    }
    // With no valid policy at all, the built-in defaults apply rather than nothing.
    this.compiled = compilePolicy(policies.length > 0 ? policies : [defaultPolicy()]);
    this.stamp = stamp;
    this.log.info("policy.compiled", { policies: policies.map((policy) => policy.id) });
  }
}
