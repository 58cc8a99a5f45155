// The gateway's counters and histograms, rendered in Prometheus' text format at /metrics.
// No labels carry a statement, a parameter or an agent's secret.

const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];
const WAIT_BUCKETS_MS = [100, 500, 1000, 5000, 15000, 60000, 300000, 900000];

class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(private readonly buckets: readonly number[]) {
    this.counts = new Array<number>(buckets.length).fill(0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) this.counts[i]!++;
  }

  render(name: string, help: string): string {
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
    this.buckets.forEach((bound, i) => lines.push(`${name}_bucket{le="${bound / 1000}"} ${this.counts[i]}`));
    lines.push(`${name}_bucket{le="+Inf"} ${this.count}`, `${name}_sum ${this.sum / 1000}`, `${name}_count ${this.count}`);
    return lines.join("\n");
  }
}

export class Metrics {
  private readonly statements = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private readonly targetLatencyMs = new Histogram(LATENCY_BUCKETS_MS);
  private readonly approvalWaitMs = new Histogram(WAIT_BUCKETS_MS);

  statement(action: string): void {
    this.statements.set(action, (this.statements.get(action) ?? 0) + 1);
  }

  error(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  targetLatency(ms: number): void {
    this.targetLatencyMs.observe(ms);
  }

  approvalWait(ms: number): void {
    this.approvalWaitMs.observe(ms);
  }

  render(): string {
    const counter = (name: string, help: string, label: string, values: Map<string, number>) =>
      [`# HELP ${name} ${help}`, `# TYPE ${name} counter`, ...[...values].map(([key, value]) => `${name}{${label}="${key}"} ${value}`)].join("\n");
    return [
      counter("airlock_statements_total", "Statements decided, by decision.", "decision", this.statements),
      counter("airlock_errors_total", "Failures, by code.", "code", this.errors),
      this.targetLatencyMs.render("airlock_target_duration_seconds", "Time the target database took to run a decided statement."),
      this.approvalWaitMs.render("airlock_approval_wait_seconds", "Time statements waited for an approval decision."),
      "",
    ].join("\n");
  }
}
