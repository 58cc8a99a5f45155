import { redactDetected } from "../../lib/masking";
import { HIDDEN_ERROR_TEXT, mayQuoteStoredValue } from "../engine/error-text";
import type { Frame, TransactionStatus } from "../protocols/postgres/messages";
import type { Output } from "./output";
import { Code, parseNotice, parseNotification } from "../protocols/postgres/parser";
import { noticeFields, notificationResponse } from "../protocols/postgres/serializer";

// The server's answers, matched to what the client asked. Every message forwarded to the target pushes an
// Expectation; Airlock's own replies (a blocked statement's error, an approval notice) are queued among them
// as local replies, so the client gets every answer in the order it asked. After an error in an extended-protocol
// group the server skips to Sync; the expectations it will never answer are dropped here the same way.

export interface Expectation {
  /** One server frame for this message; true once it was the last. A promise when it must look something up. */
  take(frame: Frame, out: Output): boolean | Promise<boolean>;
  /** Never answered: the server skipped the message after an earlier error, or the session ended. */
  skip(): void;
  /** Sync and Query: where the server stops skipping after an error. */
  readonly sync: boolean;
  /** Extended-protocol messages: an ErrorResponse ends them and starts skipping to Sync. */
  readonly extended: boolean;
}

type Entry = Expectation | { readonly local: readonly Buffer[] };

export class ResponseQueue {
  readonly #entries: Entry[] = [];
  #backlog: Frame[] = [];
  #busy = false;
  status: TransactionStatus = "I";
  /** Set when an extended-protocol error happened and the client has not sent its Sync yet. */
  onExtendedError: () => void = () => undefined;
  /** A server frame could not be handled (malformed target traffic, a masking failure): the session must end. */
  onFailure: (error: unknown) => void = () => undefined;
  /**
   * While a statement that reads a table with masked columns runs, the server's notices keep only their SQLSTATE
   * (a RAISE NOTICE can print a stored value the result would mask), as its errors do.
   */
  noticesHidden = false;

  constructor(
    private readonly out: Output,
    private readonly pauseTarget: () => void,
    private readonly resumeTarget: () => void,
  ) {}

  get idle(): boolean {
    return this.#entries.length === 0;
  }

  expect(expectation: Expectation): void {
    this.#entries.push(expectation);
  }

  /** Airlock's own reply, sent once everything asked before it was answered. */
  reply(...frames: Buffer[]): void {
    this.#entries.push({ local: frames });
    this.#drainLocals();
    this.out.flush();
  }

  /** Server frames, in order; asynchronous work pauses the target socket until it is done. */
  receive(frames: readonly Frame[]): void {
    if (this.#busy) {
      this.#backlog.push(...frames);
      return;
    }
    try {
      this.#run(frames, 0);
    } catch (error) {
      this.onFailure(error);
    }
  }

  /** The session ended: every expectation left is told so. */
  abandon(): void {
    for (const entry of this.#entries.splice(0)) if (!("local" in entry)) entry.skip();
  }

  #run(frames: readonly Frame[], start: number): void {
    for (let i = start; i < frames.length; i++) {
      const result = this.#one(frames[i]!);
      if (result !== true) {
        this.#busy = true;
        this.pauseTarget();
        void result
          .then(() => {
            this.#busy = false;
            const rest = frames.slice(i + 1).concat(this.#backlog);
            this.#backlog = [];
            this.resumeTarget();
            this.#run(rest, 0);
          })
          .catch((error: unknown) => this.onFailure(error));
        this.out.flush();
        return;
      }
    }
    this.out.flush();
  }

  /** true when handled synchronously; a promise otherwise. */
  #one(frame: Frame): true | Promise<void> {
    switch (frame.code) {
      case Code.NoticeResponse:
        this.out.push(scrubNotice(frame, this.noticesHidden));
        return true;
      case Code.ParameterStatus:
        this.out.push(frame.raw);
        return true;
      case Code.NotificationResponse:
        this.out.push(scrubNotification(frame));
        return true;
      default:
        break;
    }
    this.#drainLocals();
    const head = this.#entries[0];
    if (head === undefined || "local" in head) {
      // an answer nobody asked for: relay it (ReadyForQuery after an unexpected error, for instance)
      if (frame.code === Code.ReadyForQuery) this.status = String.fromCharCode(frame.payload[0] ?? 0x49) as TransactionStatus;
      this.out.push(frame.code === Code.ErrorResponse ? scrubNotice(frame, false) : frame.raw);
      return true;
    }
    if (frame.code === Code.ReadyForQuery) this.status = String.fromCharCode(frame.payload[0] ?? 0x49) as TransactionStatus;
    const done = head.take(frame, this.out);
    if (done === true) {
      this.#finish(head, frame);
      return true;
    }
    if (done === false) return true;
    return done.then((finished) => {
      if (finished) this.#finish(head, frame);
    });
  }

  #finish(head: Expectation, frame: Frame): void {
    this.#entries.shift();
    if (frame.code === Code.ErrorResponse && head.extended) {
      // the server now skips everything up to Sync
      let syncQueued = false;
      while (this.#entries.length > 0) {
        const next = this.#entries[0]!;
        if (!("local" in next) && next.sync) {
          syncQueued = true;
          break;
        }
        this.#entries.shift();
        if (!("local" in next)) next.skip();
      }
      if (!syncQueued) this.onExtendedError();
    }
    this.#drainLocals();
  }

  #drainLocals(): void {
    while (this.#entries.length > 0) {
      const head = this.#entries[0]!;
      if (!("local" in head)) return;
      this.#entries.shift();
      for (const frame of head.local) this.out.push(frame);
    }
  }
}

/** A NOTIFY on its way to a listening client: the value detectors run over its channel and payload (pg_notify(…, ssn)). */
export function scrubNotification(frame: Frame): Buffer {
  const notification = parseNotification(frame.payload);
  const channel = redactDetected(notification.channel);
  const payload = redactDetected(notification.payload);
  return channel === notification.channel && payload === notification.payload ? frame.raw : notificationResponse(notification.processId, channel, payload);
}

/**
 * A server error or notice on its way to the client: the value detectors run over its texts (a database error can
 * quote the value it choked on); when the statement involves tables with masked columns and the error's class can
 * quote a stored value, only the SQLSTATE remains (../engine/error-text.ts).
 */
export function scrubNotice(frame: Frame, involvesMasked: boolean): Buffer {
  const fields = parseNotice(frame.payload).fields;
  const hide = involvesMasked && mayQuoteStoredValue(fields.get("C"));
  const out: [string, string][] = [];
  for (const [key, value] of fields) {
    if (key === "M") out.push([key, hide ? HIDDEN_ERROR_TEXT : redactDetected(value)]);
    else if (key === "D" || key === "H" || key === "W" || key === "q") {
      if (!hide) out.push([key, redactDetected(value)]);
    } else out.push([key, value]);
  }
  return noticeFields(frame.code, out);
}

export function errorFields(frame: Frame): { sqlState: string; message: string } {
  const fields = parseNotice(frame.payload).fields;
  return { sqlState: fields.get("C") ?? "XX000", message: fields.get("M") ?? "" };
}

// ── The simple expectations ──────────────────────────────────────────────────────────────────────────────

/** ParseComplete, BindComplete, CloseComplete (or an error): one frame, relayed. */
export function oneReply(extended = true): Expectation {
  return {
    sync: false,
    extended,
    take(frame, out) {
      out.push(frame.code === Code.ErrorResponse ? scrubNotice(frame, false) : frame.raw);
      return true;
    },
    skip() {},
  };
}

/** Sync: everything up to ReadyForQuery. */
export function syncReply(): Expectation {
  return {
    sync: true,
    extended: false,
    take(frame, out) {
      out.push(frame.code === Code.ErrorResponse ? scrubNotice(frame, false) : frame.raw);
      return frame.code === Code.ReadyForQuery;
    },
    skip() {},
  };
}
