import { createHmac } from "node:crypto";
import { initSqlParsers } from "../lib/sql";
import type { Store } from "../lib/store/client";
import { errorMessage, type Logger } from "../lib/log";
import { expireApprovals } from "../lib/approvals/pending";
import { AgentAuthenticator } from "./identity";
import type { AgentIdentity, OidcSettings } from "./identity/types";
import { TargetRegistry } from "./targets";
import { Recorder } from "./recorder";
import { ApprovalWaiter } from "./approvals";
import { Engine } from "./engine/engine";
import { listGrantedConnections } from "./identity";
import { PolicyCache } from "./engine/policy-cache";
import { Metrics } from "./metrics";
import type { MaskingOptions } from "../lib/masking";
import { Notifier, type NotifierOptions } from "./notifications/notifier";

// One gateway process: the engine and everything it stands on, assembled once and shared by every front door.
// It decides nothing itself: doors open engine sessions (`engine.open`) for everything that reaches a target.

export interface GatewayOptions {
  readonly store: Store;
  readonly log: Logger;
  readonly masterKey: Uint8Array;
  readonly publicUrl: string;
  /** A PostgreSQL URL for LISTEN/NOTIFY approval wake-ups; omitted for the embedded store (polling). */
  readonly listenUrl?: string;
  readonly oidc?: OidcSettings;
  readonly maxSqlBytes: number;
  readonly policyRefreshMs?: number;
  /** How often requests past their expiry are marked expired in the store (default 60 s; every replica does it). */
  readonly approvalSweepMs?: number;
  /**
   * How statements are recorded (README "Recordings"): `journal` appends to this process's journal before the
   * target sees the statement and ships to the store in the background; `strict` (the default here; `main.ts`
   * defaults to journal) commits to the store first.
   */
  readonly recording?: RecordingSettings;
  /** The Slack Web API approval notices go to (AIRLOCK_SLACK_API_URL; default https://slack.com/api). */
  readonly slackApiUrl?: string;
  /** The notifier's pace (tests shorten it): poll interval, attempts, backoff. */
  readonly notifications?: Pick<NotifierOptions, "pollMs" | "maxAttempts" | "backoffMs">;
}

export type RecordingSettings =
  | { readonly mode: "strict" }
  | { readonly mode: "journal"; readonly dir: string; readonly maxBytes: number; readonly fsyncIntervalMs?: number };

const APPROVAL_SWEEP_MS = 60_000;

export class Gateway {
  readonly metrics = new Metrics();
  readonly authenticator: AgentAuthenticator;
  readonly engine: Engine;
  readonly recorder: Recorder;
  readonly targets: TargetRegistry;
  readonly policies: PolicyCache;
  readonly waiter: ApprovalWaiter;
  readonly limits: { readonly maxSqlBytes: number };
  /** The masking settings every front door masks with (the hash key derived from the master key). */
  readonly maskingOptions: MaskingOptions;
  /** Announces approval requests on Slack channels and webhooks (and reminds, and updates them once decided). */
  readonly notifier: Notifier;
  private approvalSweep: NodeJS.Timeout | undefined;

  constructor(private readonly options: GatewayOptions) {
    const { store, log, masterKey } = options;
    this.limits = { maxSqlBytes: options.maxSqlBytes };
    this.authenticator = new AgentAuthenticator(store, { oidc: options.oidc, log });
    this.targets = new TargetRegistry({ masterKey });
    // Batches over raw pg on the store's URL (listenUrl is the store's own); the embedded store stays on Prisma.
    const recording = options.recording ?? { mode: "strict" };
    this.recorder = new Recorder(store, {
      log,
      databaseUrl: options.listenUrl,
      ...(recording.mode === "journal" ? { journal: { dir: recording.dir, maxBytes: recording.maxBytes, fsyncIntervalMs: recording.fsyncIntervalMs } } : {}),
    });
    this.policies = new PolicyCache(store, log, options.policyRefreshMs);
    this.waiter = new ApprovalWaiter({ store, listenUrl: options.listenUrl });
    // The hash strategy's key is derived from the master key, so every replica hashes alike.
    this.maskingOptions = { hashKey: createHmac("sha256", masterKey).update("airlock masking hash key v1").digest() };
    this.notifier = new Notifier({ store, masterKey, log, publicUrl: options.publicUrl, slackApiUrl: options.slackApiUrl, ...options.notifications });
    this.engine = new Engine({
      store,
      policies: this.policies,
      targets: this.targets,
      recorder: this.recorder,
      waiter: this.waiter,
      metrics: this.metrics,
      log,
      masterKey,
      masking: this.maskingOptions,
      publicUrl: options.publicUrl,
      maxSqlBytes: options.maxSqlBytes,
      onApprovalRequested: (id) => this.notifier.requested(id),
    });
  }

  async start(): Promise<void> {
    // Until the PostgreSQL parser is loaded every statement would analyse as unknown (fail closed, but useless).
    await initSqlParsers();
    // Journal mode: what an earlier process left is shipped before traffic is taken; a journal held by another
    // process stops the start.
    const started = await this.recorder.start();
    if (started) this.options.log.info("recording.started", { ...this.recorder.health(), leftover: started.leftover, shipped: started.shipped });
    await this.policies.start();
    // The store then says what the pages and the gateway already treat as expired (a pending or approved request
    // past its expiry can no longer run); waiters are told through the usual notification.
    this.approvalSweep = setInterval(() => void this.expireApprovals(), this.options.approvalSweepMs ?? APPROVAL_SWEEP_MS);
    this.approvalSweep.unref();
    this.notifier.start();
  }

  async stop(): Promise<void> {
    clearInterval(this.approvalSweep);
    this.policies.stop();
    await this.notifier.close();
    await this.authenticator.settled();
    await this.recorder.close();
    await this.waiter.close();
    await this.targets.close();
  }

  private async expireApprovals(): Promise<void> {
    try {
      const count = await expireApprovals(this.options.store, new Date());
      if (count > 0) this.options.log.info("approvals.expired", { count });
    } catch (error) {
      this.options.log.warn("approvals.expire_failed", { error: errorMessage(error) });
    }
  }

  connections(agent: AgentIdentity) {
    return listGrantedConnections(this.options.store, agent);
  }
}
