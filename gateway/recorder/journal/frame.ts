import { crc32c } from "@node-rs/crc32";

// One journal frame: a fixed header, then the record's bytes.
//
//   offset 0   u32 LE  body length
//   offset 4   u32 LE  CRC32C of bytes 8.. (the sequence number and the body)
//   offset 8   u64 LE  sequence number (1, 2, 3, … for the whole life of the journal)
//   offset 16  body
//
// Decoding never throws: a frame that is cut short, too long or whose checksum does not match comes back as a
// value saying so, and the caller decides (cut a torn tail, set a corrupt stretch aside).

export const FRAME_HEADER_BYTES = 16;
/** Larger bodies are refused when written and read as corruption (the recorder caps payloads well below). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export type Decoded =
  | { readonly kind: "frame"; readonly seq: number; readonly body: Buffer; readonly end: number }
  /** Not enough bytes for a whole frame (yet): `needed` is the whole frame's size when the header was readable. */
  | { readonly kind: "short"; readonly needed?: number }
  | { readonly kind: "bad"; readonly reason: "length" | "checksum" };

export function encodeFrame(seq: number, body: Buffer): Buffer {
  if (body.length > MAX_BODY_BYTES) throw new RangeError(`journal record of ${body.length} bytes is over ${MAX_BODY_BYTES}`);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32LE(body.length, 0);
  frame.writeBigUInt64LE(BigInt(seq), 8);
  body.copy(frame, FRAME_HEADER_BYTES);
  frame.writeUInt32LE(crc32c(frame.subarray(8)), 4);
  return frame;
}

/** The frame starting at `offset` of `buffer`. The body is a view into `buffer`, not a copy. */
export function decodeFrame(buffer: Buffer, offset: number): Decoded {
  if (buffer.length - offset < FRAME_HEADER_BYTES) return { kind: "short" };
  const length = buffer.readUInt32LE(offset);
  if (length > MAX_BODY_BYTES) return { kind: "bad", reason: "length" };
  const end = offset + FRAME_HEADER_BYTES + length;
  if (end > buffer.length) return { kind: "short", needed: FRAME_HEADER_BYTES + length };
  if (crc32c(buffer.subarray(offset + 8, end)) !== buffer.readUInt32LE(offset + 4)) return { kind: "bad", reason: "checksum" };
  const seq = Number(buffer.readBigUInt64LE(offset + 8));
  return { kind: "frame", seq, body: buffer.subarray(offset + FRAME_HEADER_BYTES, end), end };
}
