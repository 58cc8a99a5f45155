import { openSecret } from "../../lib/crypto/secret-box";
import type { Logger } from "../../lib/log";
import { TargetError, closedError } from "./errors";
import { MysqlTarget } from "./mysql/target";
import { PostgresTarget } from "./postgres/target";
import type { ConnectionRecord, Target, TargetSettings } from "./types";

// One per gateway process: a pooled Target per connection, keyed by connection id and updatedAt. A connection
// edited in the dashboard (newer updatedAt) gets a fresh pool; the old one closes once its statements finish.
// The secret is opened here, in memory, only when a pool is created.

export const DEFAULT_POOL_SIZE = 10;

export interface TargetRegistryOptions {
  readonly masterKey: Uint8Array;
  /** Connections per target pool (default 10). */
  readonly poolSize?: number;
  /** Structured events (pool fallbacks, lost idle connections); never a secret or a value. */
  readonly log?: Logger;
}

interface Entry {
  readonly updatedAt: number;
  readonly target: Target;
}

export class TargetRegistry {
  readonly #masterKey: Uint8Array;
  readonly #poolSize: number;
  readonly #log: Logger | undefined;
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  constructor(options: TargetRegistryOptions) {
    this.#masterKey = options.masterKey;
    this.#poolSize = Math.max(1, Math.floor(options.poolSize ?? DEFAULT_POOL_SIZE));
    this.#log = options.log;
  }

  /**
   * The pooled target for this connection. Throws TargetError "auth_failed" when the secret does not open with
   * the master key, and "unreachable" after close(). A record older than the cached one gets the cached target.
   */
  target(connection: ConnectionRecord): Target {
    if (this.#closed) throw closedError();
    const updatedAt = connection.updatedAt.getTime();
    const held = this.#entries.get(connection.id);
    if (held !== undefined && held.updatedAt >= updatedAt) return held.target;
    const target = this.#create(connection);
    this.#entries.set(connection.id, { updatedAt, target });
    if (held !== undefined) {
      this.#log?.info("target.replaced", { connection: connection.id });
      void held.target.close();
    }
    return target;
  }

  /** Closes the pool of a connection that was deleted. */
  async forget(connectionId: string): Promise<void> {
    const held = this.#entries.get(connectionId);
    this.#entries.delete(connectionId);
    await held?.target.close();
  }

  /** Closes every pool (after their statements in flight finish). */
  async close(): Promise<void> {
    this.#closed = true;
    const targets = [...this.#entries.values()].map((entry) => entry.target);
    this.#entries.clear();
    await Promise.allSettled(targets.map((target) => target.close()));
  }

  #create(connection: ConnectionRecord): Target {
    const settings: TargetSettings = {
      connectionId: connection.id,
      host: connection.host,
      port: connection.port,
      database: connection.database,
      username: connection.username,
      password: this.#open(connection),
      tls: connection.tls,
      readOnly: connection.readOnly,
      poolSize: this.#poolSize,
    };
    return connection.engine === "postgres" ? new PostgresTarget(settings, this.#log) : new MysqlTarget(settings, this.#log);
  }

  #open(connection: ConnectionRecord): string {
    try {
      return openSecret(this.#masterKey, connection.secretCiphertext, connection.id);
    } catch {
      throw new TargetError("auth_failed", "the connection's secret does not open with this gateway's master key");
    }
  }
}
