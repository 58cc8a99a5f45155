import fs from "node:fs";
import { decodeFrame } from "./frame";
import type { Gap } from "./scan";
import type { Segment } from "./journal";

// The shipper's view of the journal: records in sequence order from a position, read back from the segment
// files (the page cache, usually) in chunks, never past what is synced. A corrupt stretch found when the
// journal was opened is skipped and reported once, as a gap, where it lies.

export type ReadItem =
  | { readonly kind: "record"; readonly seq: number; readonly body: Buffer }
  | { readonly kind: "gap"; readonly fromSeq: number; readonly toSeq: number };

export interface ReadPosition {
  /** The last sequence number read. */
  readonly seq: number;
  /** Where the next frame starts, when known (a segment's first seq, an offset in it). */
  readonly segment?: number;
  readonly offset?: number;
}

const CHUNK_BYTES = 1 << 20;

export class SegmentReader {
  readonly #segments: () => readonly Segment[];
  readonly #gaps: readonly Gap[];
  #open: { segment: Segment; handle: fs.promises.FileHandle } | null = null;

  constructor(segments: () => readonly Segment[], gaps: readonly Gap[]) {
    this.#segments = segments;
    this.#gaps = gaps;
  }

  async read(position: ReadPosition, durableSeq: number, limits: { maxRecords: number; maxBytes: number }): Promise<{ items: ReadItem[]; position: ReadPosition }> {
    const items: ReadItem[] = [];
    let bytes = 0;
    let seq = position.seq;
    let segment = this.#find(position);
    let offset = segment && position.segment === segment.firstSeq ? (position.offset ?? 0) : 0;
    let need = CHUNK_BYTES;
    const full = () => items.length >= limits.maxRecords || bytes >= limits.maxBytes;
    while (segment && !full() && seq < durableSeq) {
      const end = segment.durableSize;
      if (offset >= end) {
        const next = this.#after(segment);
        if (!next || segment.fd !== null) break; // the active segment: nothing more is synced yet
        segment = next;
        offset = 0;
        continue;
      }
      const buffer = await this.#readAt(segment, offset, Math.min(end - offset, need));
      need = CHUNK_BYTES;
      let p = 0;
      while (p < buffer.length && !full()) {
        const decoded = decodeFrame(buffer, p);
        if (decoded.kind === "frame") {
          if (decoded.seq > durableSeq) break;
          if (decoded.seq > seq) {
            items.push({ kind: "record", seq: decoded.seq, body: decoded.body });
            bytes += decoded.body.length;
            seq = decoded.seq;
          }
          p = decoded.end;
          continue;
        }
        if (decoded.kind === "short") {
          if (p === 0 && decoded.needed) need = decoded.needed;
          break;
        }
        // A stretch found corrupt when the journal was opened: skip it, and say what it cost once.
        const at = offset + p;
        const gap = this.#gaps.find((known) => known.segment === segment!.firstSeq && known.offset === at);
        const next = this.#after(segment);
        const toSeq = gap ? gap.toSeq : next ? next.firstSeq - 1 : durableSeq;
        if (toSeq > seq) {
          items.push({ kind: "gap", fromSeq: Math.max(seq + 1, gap?.fromSeq ?? seq + 1), toSeq });
          seq = toSeq;
        }
        if (gap?.resumeAt !== undefined) {
          p = gap.resumeAt - offset;
          if (p >= buffer.length) break;
          continue;
        }
        p = end - offset; // the rest of this segment is unreadable
        break;
      }
      offset += Math.min(p, end - offset);
      if (p === 0 && need === CHUNK_BYTES) break; // nothing decodable here now
    }
    return { items, position: { seq, segment: segment?.firstSeq, offset } };
  }

  /** A deleted segment's file handle is closed. */
  forget(segment: Segment): void {
    if (this.#open?.segment === segment) {
      void this.#open.handle.close().catch(() => undefined);
      this.#open = null;
    }
  }

  async close(): Promise<void> {
    await this.#open?.handle.close().catch(() => undefined);
    this.#open = null;
  }

  #find(position: ReadPosition): Segment | undefined {
    const segments = this.#segments();
    if (position.segment !== undefined) {
      const same = segments.find((segment) => segment.firstSeq === position.segment);
      if (same) return same;
    }
    return segments.find((segment) => segment.lastSeq > position.seq) ?? segments[segments.length - 1];
  }

  #after(segment: Segment): Segment | undefined {
    const segments = this.#segments();
    return segments[segments.indexOf(segment) + 1];
  }

  async #readAt(segment: Segment, offset: number, length: number): Promise<Buffer> {
    if (this.#open?.segment !== segment) {
      await this.#open?.handle.close().catch(() => undefined);
      this.#open = { segment, handle: await fs.promises.open(segment.file, "r") };
    }
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.#open.handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  }
}
