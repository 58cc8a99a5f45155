// Byte-level helpers for the PostgreSQL protocol: a Reader over one message's payload and a Writer that builds
// whole frames (code byte + int32 length + payload). Reading past the end throws a ProtocolViolation, which
// parser.ts turns into an error value; nothing here allocates per field beyond the values it returns.

export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolViolation";
  }
}

export class Reader {
  offset: number;

  constructor(
    readonly buffer: Buffer,
    offset = 0,
    readonly end = buffer.length,
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  #need(bytes: number): void {
    if (bytes < 0 || this.offset + bytes > this.end) throw new ProtocolViolation("message is shorter than its fields");
  }

  byte(): number {
    this.#need(1);
    return this.buffer[this.offset++]!;
  }

  int16(): number {
    this.#need(2);
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.#need(4);
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const nul = this.buffer.indexOf(0, this.offset);
    if (nul < 0 || nul >= this.end) throw new ProtocolViolation("string is not terminated");
    const value = this.buffer.toString("utf8", this.offset, nul);
    this.offset = nul + 1;
    return value;
  }

  /** `length` bytes as a view (no copy). */
  bytes(length: number): Buffer {
    this.#need(length);
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  /** The rest of the payload as a view. */
  rest(): Buffer {
    return this.bytes(this.remaining);
  }
}

export class Writer {
  #buffer: Buffer;
  #offset = 0;

  constructor(size = 256) {
    this.#buffer = Buffer.allocUnsafe(size);
  }

  #ensure(bytes: number): void {
    if (this.#offset + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#offset + bytes));
    this.#buffer.copy(grown, 0, 0, this.#offset);
    this.#buffer = grown;
  }

  byte(value: number): this {
    this.#ensure(1);
    this.#buffer[this.#offset++] = value;
    return this;
  }

  int16(value: number): this {
    this.#ensure(2);
    this.#buffer.writeInt16BE(value, this.#offset);
    this.#offset += 2;
    return this;
  }

  int32(value: number): this {
    this.#ensure(4);
    this.#buffer.writeInt32BE(value | 0, this.#offset);
    this.#offset += 4;
    return this;
  }

  cstring(value: string): this {
    const length = Buffer.byteLength(value, "utf8");
    this.#ensure(length + 1);
    this.#buffer.write(value, this.#offset, "utf8");
    this.#offset += length;
    this.#buffer[this.#offset++] = 0;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.#ensure(value.length);
    this.#buffer.set(value, this.#offset);
    this.#offset += value.length;
    return this;
  }

  /** The payload written so far as one frame: `code` (omitted when null, as in startup packets) + length + payload. */
  frame(code: number | null): Buffer {
    const header = code === null ? 4 : 5;
    const out = Buffer.allocUnsafe(header + this.#offset);
    if (code !== null) out[0] = code;
    out.writeInt32BE(this.#offset + 4, header - 4);
    this.#buffer.copy(out, header, 0, this.#offset);
    this.#offset = 0;
    return out;
  }
}
