// MySQL's integer and string encodings (client/server protocol, "Basic Data Types"): fixed little-endian integers,
// length-encoded integers (1, 3, 4 or 9 bytes), length-encoded and NUL-terminated strings. A reader that runs past
// its buffer throws ShortPacket, which the parser turns into an error value.

export class ShortPacket extends Error {
  override readonly name = "ShortPacket";
}

export class PacketReader {
  #offset = 0;
  constructor(readonly buffer: Buffer) {}

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.buffer.length - this.#offset;
  }

  #need(bytes: number): void {
    if (this.#offset + bytes > this.buffer.length) throw new ShortPacket(`packet ends ${this.#offset + bytes - this.buffer.length} byte(s) early`);
  }

  u8(): number {
    this.#need(1);
    return this.buffer[this.#offset++]!;
  }

  u16(): number {
    this.#need(2);
    const value = this.buffer.readUInt16LE(this.#offset);
    this.#offset += 2;
    return value;
  }

  u24(): number {
    this.#need(3);
    const value = this.buffer.readUIntLE(this.#offset, 3);
    this.#offset += 3;
    return value;
  }

  u32(): number {
    this.#need(4);
    const value = this.buffer.readUInt32LE(this.#offset);
    this.#offset += 4;
    return value;
  }

  /** A 64-bit integer as a number (exact below 2^53) or, past that, a bigint. */
  u64(): number | bigint {
    this.#need(8);
    const value = this.buffer.readBigUInt64LE(this.#offset);
    this.#offset += 8;
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  /** A length-encoded integer; null for 0xFB (a NULL in a text row). */
  lenenc(): number | null {
    const first = this.u8();
    if (first < 0xfb) return first;
    if (first === 0xfb) return null;
    if (first === 0xfc) return this.u16();
    if (first === 0xfd) return this.u24();
    if (first === 0xfe) {
      const value = this.u64();
      if (typeof value === "bigint") throw new ShortPacket("length-encoded integer too large");
      return value;
    }
    throw new ShortPacket("0xFF is not a length-encoded integer");
  }

  bytes(length: number): Buffer {
    this.#need(length);
    const out = this.buffer.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }

  skip(length: number): void {
    this.#need(length);
    this.#offset += length;
  }

  lenencBytes(): Buffer | null {
    const length = this.lenenc();
    return length === null ? null : this.bytes(length);
  }

  /** Up to the next NUL (which is consumed); without one, the rest of the packet. */
  nulString(encoding: BufferEncoding = "utf8"): string {
    const end = this.buffer.indexOf(0, this.#offset);
    const stop = end < 0 ? this.buffer.length : end;
    const text = this.buffer.toString(encoding, this.#offset, stop);
    this.#offset = end < 0 ? stop : stop + 1;
    return text;
  }

  rest(): Buffer {
    const out = this.buffer.subarray(this.#offset);
    this.#offset = this.buffer.length;
    return out;
  }
}

export class PacketWriter {
  #chunks: Buffer[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  #push(buffer: Buffer): this {
    this.#chunks.push(buffer);
    this.#size += buffer.length;
    return this;
  }

  u8(value: number): this {
    return this.#push(Buffer.from([value & 0xff]));
  }

  u16(value: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeUInt16LE(value, 0);
    return this.#push(b);
  }

  u24(value: number): this {
    const b = Buffer.allocUnsafe(3);
    b.writeUIntLE(value, 0, 3);
    return this.#push(b);
  }

  u32(value: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(value >>> 0, 0);
    return this.#push(b);
  }

  u64(value: number | bigint): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64LE(BigInt(value), 0);
    return this.#push(b);
  }

  lenenc(value: number): this {
    if (value < 0xfb) return this.u8(value);
    if (value < 0x10000) return this.u8(0xfc).u16(value);
    if (value < 0x1000000) return this.u8(0xfd).u24(value);
    return this.u8(0xfe).u64(value);
  }

  bytes(buffer: Buffer): this {
    return this.#push(buffer);
  }

  zeros(count: number): this {
    return this.#push(Buffer.alloc(count));
  }

  lenencString(value: string | Buffer): this {
    const buffer = typeof value === "string" ? Buffer.from(value, "utf8") : value;
    return this.lenenc(buffer.length).bytes(buffer);
  }

  nulString(value: string): this {
    return this.#push(Buffer.from(`${value}\0`, "utf8"));
  }

  string(value: string): this {
    return this.#push(Buffer.from(value, "utf8"));
  }

  build(): Buffer {
    return this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#size);
  }
}
