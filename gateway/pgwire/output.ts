import type net from "node:net";

// Writes to the wire client. Frames relayed as they came are joined when they sit next to each other in the
// same received chunk (one write for a run of DataRows); everything goes out when the batch is flushed, once per
// chunk of server frames. When the client's socket buffer is full, `onFull` pauses the target side.

export class Output {
  #parts: Buffer[] = [];
  #last: Buffer | null = null;
  #draining = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly onFull: () => void,
    private readonly onDrained: () => void,
  ) {}

  /** A frame to send (relayed raw or built by Airlock). */
  push(frame: Buffer): void {
    const last = this.#last;
    if (last !== null && last.buffer === frame.buffer && last.byteOffset + last.length === frame.byteOffset) {
      this.#last = Buffer.from(last.buffer, last.byteOffset, last.length + frame.length);
      this.#parts[this.#parts.length - 1] = this.#last;
      return;
    }
    this.#parts.push(frame);
    this.#last = frame;
  }

  flush(): void {
    if (this.#parts.length === 0) return;
    const parts = this.#parts;
    this.#parts = [];
    this.#last = null;
    if (this.socket.destroyed) return;
    let ok = true;
    if (parts.length === 1) ok = this.socket.write(parts[0]!);
    else {
      this.socket.cork();
      for (const part of parts) ok = this.socket.write(part);
      this.socket.uncork();
    }
    if (!ok && !this.#draining) {
      this.#draining = true;
      this.onFull();
      this.socket.once("drain", () => {
        this.#draining = false;
        this.onDrained();
      });
    }
  }
}
