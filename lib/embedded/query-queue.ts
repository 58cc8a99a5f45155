import type { PGlite } from "@electric-sql/pglite";

// The order in which the embedded PostgreSQL (one PGlite backend) runs the protocol messages of its many client
// connections. pglite-socket's own queue hands the backend one message at a time from whichever connection comes
// next, keeping to one connection only inside a transaction. That breaks the extended protocol: PGlite has one
// unnamed prepared statement, so connection A's Parse, then B's Parse, then A's Bind binds A's parameters to B's
// statement ("bind message supplies 1 parameters, but prepared statement "" requires 2"). Prisma and node-pg use
// the extended protocol for every parameterised query, so the web app and the gateway tripped over each other.
//
// This queue also keeps to one connection from its first extended-protocol message (Parse, Bind, Describe,
// Execute, Close, Flush) until its Sync, as a real backend would, and otherwise behaves like pglite-socket's.

const EXTENDED = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]); // P B D E C H
const ENDS_EXCHANGE = new Set([0x53, 0x51, 0x58]); // S(ync), Q(uery), X (terminate)

interface Queued {
  readonly handlerId: number;
  readonly message: Uint8Array;
  readonly resolve: (bytes: number) => void;
  readonly reject: (error: unknown) => void;
  readonly onData: (data: Uint8Array) => void;
}

export class ExchangeQueue {
  #queue: Queued[] = [];
  #processing = false;
  #lastHandlerId: number | null = null;
  /** The connection whose extended-protocol exchange is under way, until its Sync. */
  #pinned: number | null = null;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ handlerId, message, resolve, reject, onData });
      void this.processQueue();
    });
  }

  async processQueue(): Promise<void> {
    if (this.#processing) return;
    this.#processing = true;
    try {
      while (this.#queue.length > 0) {
        const owner = this.#pinned ?? (this.db.isInTransaction() ? this.#lastHandlerId : null);
        const index = owner === null ? 0 : this.#queue.findIndex((item) => item.handlerId === owner);
        if (index === -1) break; // the owner's next message has not arrived: everyone else waits for it
        const [item] = this.#queue.splice(index, 1);
        let bytes = 0;
        try {
          await this.db.runExclusive(() => this.db.execProtocolRawStream(item!.message, { onRawData: (data) => ((bytes += data.length), item!.onData(data)) }));
        } catch (error) {
          item!.reject(error);
          continue;
        }
        this.#lastHandlerId = item!.handlerId;
        const type = item!.message[0]!;
        if (EXTENDED.has(type)) this.#pinned = item!.handlerId;
        else if (ENDS_EXCHANGE.has(type)) this.#pinned = null;
        item!.resolve(bytes);
      }
    } finally {
      this.#processing = false;
    }
  }

  getQueueLength(): number {
    return this.#queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.#queue = this.#queue.filter((item) => {
      if (item.handlerId !== handlerId) return true;
      item.reject(new Error("Handler disconnected"));
      return false;
    });
  }

  /** A connection went away: roll back its transaction and release its exchange, then let the others go on. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.db.isInTransaction() && this.#lastHandlerId === handlerId) {
      await this.db.exec("ROLLBACK");
      this.#lastHandlerId = null;
    }
    if (this.#pinned === handlerId) this.#pinned = null;
    await this.processQueue();
  }
}
