import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Logger } from "../../../lib/log";
import { LockHeldError, takePidLock } from "../../../lib/files/pid-lock";
import { encodeFrame } from "./frame";
import { scanSegment, type Gap } from "./scan";
import { SegmentReader, type ReadItem, type ReadPosition } from "./reader";

// The recorder's write-ahead journal: one directory per gateway process, held by an exclusive lock.
//
//   <dir>/LOCK              the owning process (lib/files/pid-lock)
//   <dir>/JOURNAL_ID        a UUID made with the directory: with a record's sequence number, the key that makes
//                           shipping idempotent (a record shipped twice is stored once)
//   <dir>/SHIPPED           the last sequence number known to be in the store (written durably before segments go)
//   <dir>/<first seq>.seg   segments of frames (frame.ts), the newest one being appended to
//
// `append` writes a frame with one synchronous write: once it returns, the record is in the page cache and
// survives the process being killed. A flusher fdatasyncs in the background every `fsyncIntervalMs` (or sooner
// after `fsyncBytes`), so a power loss costs at most that window; the shipper reads only what is synced. An
// fdatasync that fails is not retried (a retry can falsely succeed): the journal stops taking records for good.
// The journal never holds more than `maxBytes` on disk; the last `reserveBytes` of it take only records written
// with `reserve` (the recording of refusals), so that a full journal can still say why it refused.

export type JournalErrorCode = "journal_full" | "journal_unwritable" | "journal_failed" | "journal_locked" | "journal_closed";

const MESSAGES: Record<JournalErrorCode, string> = {
  journal_full: "the recording journal is full",
  journal_unwritable: "the recording journal cannot be written",
  journal_failed: "the recording journal failed to sync and takes no more records",
  journal_locked: "the recording journal is held by another process",
  journal_closed: "the recording journal is closed",
};

export class JournalError extends Error {
  override readonly name = "JournalError";
  constructor(
    readonly code: JournalErrorCode,
    detail?: string,
  ) {
    super(detail ? `${MESSAGES[code]}: ${detail}` : MESSAGES[code]);
  }
}

export interface JournalOptions {
  readonly dir: string;
  /** Most bytes the journal keeps on disk (shipped segments are deleted). */
  readonly maxBytes: number;
  /** The part of maxBytes only `reserve` records may use (default: 1/32 of maxBytes, at most 1 MiB). */
  readonly reserveBytes?: number;
  /** A segment is sealed past this size (default: maxBytes / 8, between 4 KiB and 16 MiB). */
  readonly segmentBytes?: number;
  /** Longest time a written record waits for its fdatasync (default 5 ms): what a power loss can cost. */
  readonly fsyncIntervalMs?: number;
  /** Unsynced bytes that start a sync at once (default 256 KiB). */
  readonly fsyncBytes?: number;
  readonly log?: Logger;
}

export interface Segment {
  readonly firstSeq: number;
  readonly file: string;
  /** Bytes written (the active segment) or on disk (a sealed one). */
  size: number;
  /** Bytes known to be synced: all of a sealed segment's once its sync is done. */
  durableSize: number;
  /** The last record's seq; firstSeq - 1 while empty. */
  lastSeq: number;
  /** Open for appending (the active segment, and a sealed one until its last sync). */
  fd: number | null;
  dirty: boolean;
}

export interface JournalState {
  readonly id: string;
  readonly state: "ok" | "full" | "failed" | "closed";
  /** Records written and not yet shipped. */
  readonly backlogRecords: number;
  /** Bytes on disk. */
  readonly bytes: number;
  readonly maxBytes: number;
  readonly lastSeq: number;
  readonly durableSeq: number;
  readonly shippedSeq: number;
}

const SEGMENT = /^(\d{20})\.seg$/;

export class Journal {
  readonly id: string;
  readonly dir: string;
  readonly #log: Logger | undefined;
  readonly #maxBytes: number;
  readonly #reserveBytes: number;
  readonly #segmentBytes: number;
  readonly #fsyncIntervalMs: number;
  readonly #fsyncBytes: number;
  readonly #release: () => void;
  readonly #segments: Segment[];
  readonly #reader: SegmentReader;
  /** Gaps found when the directory was opened (corrupt stretches), for the shipper to mark. */
  readonly gaps: readonly Gap[];

  #bytes: number;
  #nextSeq: number;
  /** The last record written (to the page cache); records after it are held. */
  #writtenSeq: number;
  #durableSeq: number;
  #shippedSeq: number;
  #checkpointedSeq: number;
  #unsyncedBytes = 0;
  /** Frames appended and not yet written (lazy ones waiting for company). */
  #held: Buffer[] = [];
  #heldBytes = 0;
  #heldTimer: NodeJS.Timeout | undefined;
  #dirDirty = false;
  #flushTimer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> | undefined;
  #failed: JournalError | undefined;
  #closed = false;
  #full = false;
  readonly #waiters = new Set<() => void>();

  private constructor(init: {
    options: JournalOptions;
    id: string;
    release: () => void;
    segments: Segment[];
    shippedSeq: number;
    gaps: Gap[];
  }) {
    const { options } = init;
    this.dir = options.dir;
    this.id = init.id;
    this.#log = options.log;
    this.#maxBytes = options.maxBytes;
    this.#reserveBytes = options.reserveBytes ?? Math.min(1 << 20, Math.floor(options.maxBytes / 32));
    this.#segmentBytes = options.segmentBytes ?? Math.min(16 << 20, Math.max(4096, Math.floor(options.maxBytes / 8)));
    this.#fsyncIntervalMs = Math.max(0, options.fsyncIntervalMs ?? 5);
    this.#fsyncBytes = options.fsyncBytes ?? 256 * 1024;
    this.#release = init.release;
    this.#segments = init.segments;
    this.gaps = init.gaps;
    this.#bytes = init.segments.reduce((sum, segment) => sum + segment.size, 0);
    const lastSeq = Math.max(init.shippedSeq, ...init.segments.map((segment) => segment.lastSeq), 0);
    this.#nextSeq = lastSeq + 1;
    this.#writtenSeq = lastSeq;
    this.#durableSeq = lastSeq;
    this.#shippedSeq = init.shippedSeq;
    this.#checkpointedSeq = init.shippedSeq;
    this.#reader = new SegmentReader(() => this.#segments, init.gaps);
  }

  /** Opens (or creates) the journal directory: locks it, recovers what is there, starts a new segment. */
  static async open(options: JournalOptions): Promise<Journal> {
    const dir = path.resolve(options.dir);
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new JournalError("journal_unwritable", `${dir}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
    }
    let release: () => void;
    try {
      release = takePidLock(path.join(dir, "LOCK"));
    } catch (error) {
      if (error instanceof LockHeldError) throw new JournalError("journal_locked", `${dir} (process ${error.pid})`);
      throw new JournalError("journal_unwritable", `${dir}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
    }
    try {
      const id = readOrCreateId(dir);
      const shippedSeq = readShipped(dir);
      const segments: Segment[] = [];
      const gaps: Gap[] = [];
      const names = fs.readdirSync(dir).filter((name) => SEGMENT.test(name)).sort();
      let previousLast = 0;
      for (let i = 0; i < names.length; i++) {
        const file = path.join(dir, names[i]!);
        const firstSeq = Number(SEGMENT.exec(names[i]!)![1]);
        const last = i === names.length - 1;
        const scan = scanSegment(fs.readFileSync(file), previousLast);
        for (const bad of scan.corrupt) {
          const aside = `${file}.corrupt-${bad.offset}`;
          fs.writeFileSync(aside, bad.bytes);
          options.log?.error("journal.corrupt", { segment: names[i], offset: bad.offset, bytes: bad.bytes.length, keptAside: path.basename(aside) });
        }
        if (scan.tornTail > 0) {
          if (last) options.log?.warn("journal.torn_tail_cut", { segment: names[i], bytes: scan.tornTail });
          else options.log?.error("journal.corrupt", { segment: names[i], offset: scan.validEnd, bytes: scan.tornTail, at: "end" });
          fs.truncateSync(file, scan.validEnd);
        }
        for (const gap of scan.gaps) gaps.push({ ...gap, segment: firstSeq });
        // A gap between segments (a corrupt end of one, lost records before the next): said once, marked when shipped.
        if (scan.firstSeq !== null && previousLast > 0 && scan.firstSeq > previousLast + 1 && !scan.gaps.some((gap) => gap.fromSeq === previousLast + 1)) {
          gaps.push({ fromSeq: previousLast + 1, toSeq: scan.firstSeq - 1, segment: firstSeq, offset: 0 });
        }
        if (scan.lastSeq === null) {
          fs.rmSync(file); // nothing readable: a segment begun just before a crash
          continue;
        }
        previousLast = scan.lastSeq;
        segments.push({ firstSeq, file, size: scan.validEnd, durableSize: scan.validEnd, lastSeq: scan.lastSeq, fd: null, dirty: false });
      }
      for (const gap of gaps) if (gap.toSeq >= gap.fromSeq) options.log?.error("journal.gap", { fromSeq: gap.fromSeq, toSeq: gap.toSeq, segment: gap.segment });
      const journal = new Journal({ options: { ...options, dir }, id, release, segments, shippedSeq, gaps });
      journal.#dropShipped();
      journal.#startSegment();
      return journal;
    } catch (error) {
      release();
      if (error instanceof JournalError) throw error;
      throw new JournalError("journal_unwritable", `${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }

  /**
   * Writes records, in order, with one write; returns their sequence numbers once they are in the page cache.
   * `lazy` records (nothing waits on them) are held, at most until the next write or the sync interval, and go
   * out with it: a crash can lose them, never a record written before something was acted on. Throws JournalError.
   */
  append(bodies: readonly Buffer[], options: { reserve?: boolean; lazy?: boolean } = {}): number[] {
    if (this.#closed) throw new JournalError("journal_closed");
    if (this.#failed) throw this.#failed;
    const first = this.#nextSeq;
    const frames = bodies.map((body, i) => encodeFrame(first + i, body));
    const size = frames.reduce((sum, frame) => sum + frame.length, 0);
    const limit = options.reserve ? this.#maxBytes : this.#maxBytes - this.#reserveBytes;
    // Once full, ordinary records wait until shipping frees a segment's worth (no flapping at the edge).
    if (this.#bytes + this.#heldBytes + size > limit || (this.#full && !options.reserve)) {
      if (!this.#full) this.#log?.error("journal.full", { bytes: this.#bytes, maxBytes: this.#maxBytes });
      this.#full = true;
      throw new JournalError("journal_full");
    }
    this.#nextSeq += frames.length;
    this.#held.push(...frames);
    this.#heldBytes += size;
    if (options.lazy) {
      this.#heldTimer ??= setTimeout(() => {
        this.#heldTimer = undefined;
        try {
          this.#writeHeld();
        } catch {
          // a failed write of lazy records is logged by the journal's state; their callers were not waiting
        }
      }, Math.max(1, this.#fsyncIntervalMs));
    } else this.#writeHeld();
    return frames.map((_, i) => first + i);
  }

  /** Writes the held frames with one write (into a new segment first when the active one is full). */
  #writeHeld(): void {
    if (this.#held.length === 0) return;
    clearTimeout(this.#heldTimer);
    this.#heldTimer = undefined;
    const frames = this.#held;
    const size = this.#heldBytes;
    this.#held = [];
    this.#heldBytes = 0;
    const seqOf = (frame: Buffer) => frame.readUInt32LE(12) * 2 ** 32 + frame.readUInt32LE(8);
    const lastSeq = seqOf(frames[frames.length - 1]!);
    let active = this.#active();
    if (active.size > 0 && active.size + size > this.#segmentBytes) active = this.#rotate(seqOf(frames[0]!));
    const fd = active.fd!;
    try {
      let written = 0;
      const whole = frames.length === 1 ? frames[0]! : Buffer.concat(frames, size);
      while (written < size) written += fs.writeSync(fd, whole, written, size - written, active.size + written);
    } catch (error) {
      // Undo a partial write so that the next record starts where these did; if even that fails, stop. Their
      // numbers are given up (the next write continues after them), which a reader sees as nothing missing.
      try {
        fs.ftruncateSync(fd, active.size);
      } catch {
        this.#fail(error);
      }
      throw new JournalError("journal_unwritable", (error as NodeJS.ErrnoException).code);
    }
    active.size += size;
    active.lastSeq = lastSeq;
    active.dirty = true;
    this.#writtenSeq = lastSeq;
    this.#bytes += size;
    this.#unsyncedBytes += size;
    this.#scheduleSync();
  }

  /** Records (and gaps) after `position`, up to what is synced, at most `maxRecords` / about `maxBytes`. */
  read(position: ReadPosition, limits: { maxRecords: number; maxBytes: number }): Promise<{ items: ReadItem[]; position: ReadPosition }> {
    return this.#reader.read(position, this.#durableSeq, limits);
  }

  /** Where the shipper starts: just after what the store is known to hold. */
  startPosition(): ReadPosition {
    return { seq: this.#shippedSeq };
  }

  /** The store holds every record up to `seq`: segments wholly below it can go (after the next checkpoint). */
  shipped(seq: number): void {
    if (seq <= this.#shippedSeq) return;
    this.#shippedSeq = seq;
    this.#notify();
  }

  /** Makes the shipped position durable, then deletes the segments it covers. */
  async checkpoint(): Promise<void> {
    const seq = this.#shippedSeq;
    if (seq === this.#checkpointedSeq) return;
    const file = path.join(this.dir, "SHIPPED");
    const temp = `${file}.tmp`;
    const handle = await fs.promises.open(temp, "w", 0o600);
    try {
      await handle.writeFile(`${seq}\n`);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, file);
    await syncDir(this.dir);
    this.#checkpointedSeq = Math.max(this.#checkpointedSeq, seq);
    this.#dropShipped();
  }

  /** Whether a checkpoint would delete a segment (the shipper checkpoints at once then, else now and again). */
  get canFreeSegment(): boolean {
    return this.#segments.some((segment) => segment.fd === null && segment.lastSeq <= this.#shippedSeq && segment.lastSeq > this.#checkpointedSeq);
  }

  /** Resolves when something changes for the shipper (records synced, the journal closed), or after `ms`. */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  /** Syncs everything written so far (and waits for it). */
  async sync(): Promise<void> {
    if (!this.#failed && !this.#closed) this.#writeHeld();
    while (this.#durableSeq < this.#writtenSeq && !this.#failed) {
      if (!this.#syncing) this.#startSync();
      await this.#syncing;
    }
  }

  get lastSeq(): number {
    return this.#nextSeq - 1;
  }

  get durableSeq(): number {
    return this.#durableSeq;
  }

  get shippedSeq(): number {
    return this.#shippedSeq;
  }

  state(): JournalState {
    return {
      id: this.id,
      state: this.#closed ? "closed" : this.#failed ? "failed" : this.#full ? "full" : "ok",
      backlogRecords: this.#nextSeq - 1 - this.#shippedSeq,
      bytes: this.#bytes,
      maxBytes: this.#maxBytes,
      lastSeq: this.#nextSeq - 1,
      durableSeq: this.#durableSeq,
      shippedSeq: this.#shippedSeq,
    };
  }

  /** Syncs, checkpoints what was shipped, closes the files and releases the lock. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.sync().catch(() => undefined);
    this.#closed = true;
    clearTimeout(this.#flushTimer);
    await this.#syncing?.catch(() => undefined);
    await this.checkpoint().catch(() => undefined);
    await this.#reader.close();
    for (const segment of this.#segments) this.#closeFd(segment);
    this.#notify();
    this.#release();
  }

  #active(): Segment {
    return this.#segments[this.#segments.length - 1]!;
  }

  #startSegment(firstSeq = this.#nextSeq): Segment {
    const file = path.join(this.dir, `${String(firstSeq).padStart(20, "0")}.seg`);
    let fd: number;
    try {
      fd = fs.openSync(file, "w", 0o600);
    } catch (error) {
      throw new JournalError("journal_unwritable", (error as NodeJS.ErrnoException).code);
    }
    const segment: Segment = { firstSeq, file, size: 0, durableSize: 0, lastSeq: firstSeq - 1, fd, dirty: false };
    this.#segments.push(segment);
    this.#dirDirty = true;
    return segment;
  }

  /** Seals the active segment (its last sync closes it) and starts the next. */
  #rotate(firstSeq: number): Segment {
    const sealed = this.#active();
    const next = this.#startSegment(firstSeq);
    // A sync in flight may be using its descriptor: that sync closes it when it is done.
    if (!sealed.dirty && !this.#syncing) this.#closeFd(sealed);
    return next;
  }

  #scheduleSync(): void {
    if (this.#syncing) return;
    if (this.#unsyncedBytes >= this.#fsyncBytes || this.#fsyncIntervalMs === 0) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
      this.#startSync();
      return;
    }
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = undefined;
      this.#startSync();
    }, this.#fsyncIntervalMs);
  }

  #startSync(): void {
    if (this.#syncing || this.#failed) return;
    const upTo = this.#writtenSeq;
    const sizes = this.#segments.filter((segment) => segment.dirty).map((segment) => ({ segment, size: segment.size }));
    const dirDirty = this.#dirDirty;
    this.#dirDirty = false;
    this.#unsyncedBytes = 0;
    for (const { segment } of sizes) segment.dirty = false;
    this.#syncing = (async () => {
      try {
        await Promise.all(sizes.map(({ segment }) => fdatasync(segment.fd!)));
        if (dirDirty) await syncDir(this.dir);
        for (const { segment, size } of sizes) segment.durableSize = Math.max(segment.durableSize, size);
        // Sealed segments with nothing left to sync are closed (rotation leaves them open while a sync runs).
        for (const segment of this.#segments) if (segment !== this.#active() && !segment.dirty && segment.durableSize === segment.size) this.#closeFd(segment);
        this.#durableSeq = Math.max(this.#durableSeq, upTo);
        this.#notify();
      } catch (error) {
        this.#fail(error);
      } finally {
        this.#syncing = undefined;
      }
      if (!this.#closed && this.#durableSeq < this.#writtenSeq) this.#scheduleSync();
    })();
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = new JournalError("journal_failed", (error as NodeJS.ErrnoException).code);
    this.#log?.error("journal.failed", { code: (error as NodeJS.ErrnoException).code ?? "error" });
    this.#notify();
  }

  #closeFd(segment: Segment): void {
    if (segment.fd === null) return;
    try {
      fs.closeSync(segment.fd);
    } catch {
      // already closed
    }
    segment.fd = null;
  }

  /** Deletes sealed segments whose every record is checkpointed as shipped. */
  #dropShipped(): void {
    for (let i = 0; i < this.#segments.length - 1; ) {
      const segment = this.#segments[i]!;
      if (segment.fd === null && segment.lastSeq <= this.#checkpointedSeq) {
        fs.rmSync(segment.file, { force: true });
        this.#bytes -= segment.size;
        this.#segments.splice(i, 1);
        this.#reader.forget(segment);
        this.#dirDirty = true;
      } else i++;
    }
    if (this.#full && this.#bytes + this.#segmentBytes <= this.#maxBytes - this.#reserveBytes) {
      this.#full = false;
      this.#log?.info("journal.not_full", { bytes: this.#bytes, maxBytes: this.#maxBytes });
    }
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function readOrCreateId(dir: string): string {
  const file = path.join(dir, "JOURNAL_ID");
  try {
    const id = fs.readFileSync(file, "utf8").trim();
    if (/^[0-9a-f-]{36}$/.test(id)) return id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const id = randomUUID();
  const fd = fs.openSync(file, "w", 0o600);
  try {
    fs.writeSync(fd, `${id}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return id;
}

function readShipped(dir: string): number {
  try {
    const value = Number(fs.readFileSync(path.join(dir, "SHIPPED"), "utf8").trim());
    return Number.isSafeInteger(value) && value >= 0 ? value : 0;
  } catch {
    return 0;
  }
}
