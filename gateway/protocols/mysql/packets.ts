// MySQL packets on the wire: a 3-byte little-endian payload length, a 1-byte sequence id, the payload. A payload of
// 0xFFFFFF bytes continues in the next packet (the logical packet ends with a shorter one, possibly empty). The
// framer joins those and bounds the whole: a client that announces more than `maxBytes` gets an error value, and
// nothing past the bound is ever buffered.

export const MAX_PAYLOAD = 0xffffff;

export interface Packet {
  /** The sequence id of the packet's first part. */
  readonly seq: number;
  /** The sequence id of its last part (the next packet, either way, must follow it). */
  readonly lastSeq: number;
  readonly payload: Buffer;
}

export type Framed = { readonly kind: "packet"; readonly packet: Packet } | { readonly kind: "too_large"; readonly bytes: number };

export class PacketFramer {
  #pending: Buffer = Buffer.alloc(0);
  #parts: Buffer[] = [];
  #partsBytes = 0;
  #firstSeq = 0;
  #failed = false;

  constructor(readonly maxBytes: number) {}

  /** Whole logical packets in `chunk` (with what came before); after too_large nothing more is read. */
  push(chunk: Buffer): Framed[] {
    if (this.#failed) return [];
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const out: Framed[] = [];
    let offset = 0;
    while (this.#pending.length - offset >= 4) {
      const length = this.#pending.readUIntLE(offset, 3);
      const seq = this.#pending[offset + 3]!;
      if (this.#partsBytes + length > this.maxBytes) {
        this.#failed = true;
        this.#pending = this.#pending.subarray(offset);
        out.push({ kind: "too_large", bytes: this.#partsBytes + length });
        return out;
      }
      if (this.#pending.length - offset - 4 < length) break;
      const part = this.#pending.subarray(offset + 4, offset + 4 + length);
      offset += 4 + length;
      if (this.#parts.length === 0) this.#firstSeq = seq;
      if (length === MAX_PAYLOAD) {
        this.#parts.push(part);
        this.#partsBytes += length;
        continue;
      }
      const payload = this.#parts.length === 0 ? part : Buffer.concat([...this.#parts, part]);
      out.push({ kind: "packet", packet: { seq: this.#firstSeq, lastSeq: seq, payload } });
      this.#parts = [];
      this.#partsBytes = 0;
    }
    this.#pending = offset === this.#pending.length ? Buffer.alloc(0) : this.#pending.subarray(offset);
    return out;
  }

  /** Takes the bytes received after the last whole packet (a TLS ClientHello that came right behind SSLRequest). */
  takeRest(): Buffer {
    const rest = this.#parts.length > 0 ? Buffer.concat([...this.#parts, this.#pending]) : this.#pending;
    this.#pending = Buffer.alloc(0);
    this.#parts = [];
    this.#partsBytes = 0;
    return rest;
  }

  /** Bytes received and not yet part of a whole packet (a client that stops mid-packet). */
  get buffered(): number {
    return this.#pending.length + this.#partsBytes;
  }
}

/** The payload as wire packets starting at `seq`; answers the packets and the next sequence id. */
export function framePackets(payload: Buffer, seq: number): { frames: Buffer[]; next: number } {
  const frames: Buffer[] = [];
  let offset = 0;
  let id = seq;
  for (;;) {
    const length = Math.min(MAX_PAYLOAD, payload.length - offset);
    const header = Buffer.allocUnsafe(4);
    header.writeUIntLE(length, 0, 3);
    header[3] = id & 0xff;
    frames.push(header, payload.subarray(offset, offset + length));
    id = (id + 1) & 0xff;
    offset += length;
    if (length < MAX_PAYLOAD) break;
  }
  return { frames, next: id };
}
