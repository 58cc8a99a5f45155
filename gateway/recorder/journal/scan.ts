import { crc32c } from "@node-rs/crc32";
import { decodeFrame, FRAME_HEADER_BYTES, MAX_BODY_BYTES } from "./frame";

// Reading a segment back after a restart. Frames follow each other with rising sequence numbers; where one does
// not decode, the scan looks for the next frame that does (its length fits, its sequence number comes after the
// last good one, its checksum holds):
//   - none follows: a torn tail (a write cut short by a crash, never acknowledged): cut off;
//   - one follows: a corrupt stretch. It is set aside, the records after it are kept, and the sequence numbers
//     it swallowed are a gap the shipper marks in the recordings it affects.

export interface Gap {
  /** The first and last sequence numbers lost. */
  readonly fromSeq: number;
  readonly toSeq: number;
  /** The segment (its first seq) and the byte offset where the corrupt stretch begins. */
  readonly segment: number;
  readonly offset: number;
  /** Where the frames resume in that segment (absent: in the next segment). */
  readonly resumeAt?: number;
}

export interface Scan {
  readonly firstSeq: number | null;
  readonly lastSeq: number | null;
  /** The end of the last good frame. */
  readonly validEnd: number;
  /** Bytes after validEnd that hold no good frame. */
  readonly tornTail: number;
  readonly corrupt: readonly { readonly offset: number; readonly bytes: Buffer }[];
  readonly gaps: readonly Omit<Gap, "segment">[];
}

/** Scans a segment's bytes; `previousLast` is the last good seq before this segment (0: none). */
export function scanSegment(buffer: Buffer, previousLast: number): Scan {
  let offset = 0;
  let last = previousLast;
  let firstSeq: number | null = null;
  let lastSeq: number | null = null;
  const corrupt: { offset: number; bytes: Buffer }[] = [];
  const gaps: Omit<Gap, "segment">[] = [];
  while (offset < buffer.length) {
    const decoded = decodeFrame(buffer, offset);
    if (decoded.kind === "frame" && decoded.seq > last) {
      firstSeq ??= decoded.seq;
      lastSeq = last = decoded.seq;
      offset = decoded.end;
      continue;
    }
    const next = resync(buffer, offset + 1, last);
    if (!next) return { firstSeq, lastSeq, validEnd: offset, tornTail: buffer.length - offset, corrupt, gaps };
    corrupt.push({ offset, bytes: Buffer.from(buffer.subarray(offset, next.offset)) });
    if (next.seq > last + 1) gaps.push({ fromSeq: last + 1, toSeq: next.seq - 1, offset, resumeAt: next.offset });
    else gaps.push({ fromSeq: next.seq, toSeq: next.seq - 1, offset, resumeAt: next.offset }); // nothing lost: skipped only
    offset = next.offset;
  }
  return { firstSeq, lastSeq, validEnd: offset, tornTail: 0, corrupt, gaps };
}

/** The next offset at or after `from` where a good frame with a seq above `after` starts. */
export function resync(buffer: Buffer, from: number, after: number): { offset: number; seq: number } | null {
  for (let p = from; p + FRAME_HEADER_BYTES <= buffer.length; p++) {
    const length = buffer.readUInt32LE(p);
    if (length > MAX_BODY_BYTES || p + FRAME_HEADER_BYTES + length > buffer.length) continue;
    const seq = buffer.readUInt32LE(p + 12) * 2 ** 32 + buffer.readUInt32LE(p + 8);
    if (seq <= after || seq > after + 100_000_000) continue;
    if (crc32c(buffer.subarray(p + 8, p + FRAME_HEADER_BYTES + length)) === buffer.readUInt32LE(p + 4)) return { offset: p, seq };
  }
  return null;
}
