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

/** The recording's gauges: mode, journal state and backlog (what waits to be shipped to the store), drops. */
export function recordingMetrics(health: {
  readonly mode: string;
  readonly journal?: { readonly state: string; readonly backlogRecords?: number; readonly bytes?: number; readonly maxBytes?: number };
  readonly shipping?: string;
  readonly dropped?: number;
}): string {
  const lines = [
    "# HELP airlock_recording_mode How statements are recorded (1 for the mode in use).",
    "# TYPE airlock_recording_mode gauge",
    `airlock_recording_mode{mode="${health.mode}"} 1`,
  ];
  if (health.mode !== "journal") return `${lines.join("\n")}\n`;
  const journal = health.journal;
  lines.push(
    "# HELP airlock_journal_up Whether the journal takes records (0: full, failed or unwritable).",
    "# TYPE airlock_journal_up gauge",
    `airlock_journal_up{state="${journal?.state ?? "unavailable"}"} ${journal?.state === "ok" ? 1 : 0}`,
    "# HELP airlock_journal_backlog_records Records written to the journal and not yet in the store.",
    "# TYPE airlock_journal_backlog_records gauge",
    `airlock_journal_backlog_records ${journal?.backlogRecords ?? 0}`,
    "# HELP airlock_journal_bytes Bytes the journal holds on disk, and its limit.",
    "# TYPE airlock_journal_bytes gauge",
    `airlock_journal_bytes ${journal?.bytes ?? 0}`,
    `airlock_journal_max_bytes ${journal?.maxBytes ?? 0}`,
    "# HELP airlock_journal_store_up Whether shipping to the store works.",
    "# TYPE airlock_journal_store_up gauge",
    `airlock_journal_store_up ${health.shipping === "ok" ? 1 : 0}`,
    "# HELP airlock_journal_dropped_total Records the store could never take (logged one by one).",
    "# TYPE airlock_journal_dropped_total counter",
    `airlock_journal_dropped_total ${health.dropped ?? 0}`,
  );
  return `${lines.join("\n")}\n`;
}
