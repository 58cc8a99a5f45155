import { redactDetected } from "../../lib/masking";
import type { StatementResult } from "../engine/types";
import type { FieldDescription, Frame } from "../protocols/postgres/messages";
import type { Output } from "./output";
import { Code, dataRowCells, parseRowDescription } from "../protocols/postgres/parser";
import type { Expectation } from "./responses";
import { errorFields, scrubNotice } from "./responses";
import { MaskingRefusal, type ColumnMasking } from "./row-masking";
import { copyData, errorResponse, rowDescription } from "../protocols/postgres/serializer";
import { SQLSTATE } from "./errors";

// A statement's answer on its way to the client: a simple Query (every statement of the text, up to
// ReadyForQuery) or one Execute (up to CommandComplete / PortalSuspended). DataRows go through the masking
// array built at RowDescription; a row nothing needs to look at is relayed as its raw frame. What the
// recording keeps (command, counts, a few masked sample rows) is gathered on the way.

const SAMPLE_ROWS = 5;

/** How the result's producer must be stopped once it went past the row limit (the client got its error). */
export type LimitAction =
  /** a simple Query or a COPY still running: CancelRequest to the target */
  | "cancel"
  /** an Execute that stopped on its row count, or a simple Query that finished before the cancel landed inside a
   *  transaction: the target's transaction is made to fail like the client's */
  | "abort";

/** The client-facing error of a result past the row limit, like a PostgreSQL runtime error mid-result. */
export function rowLimitError(limit: number): Buffer {
  return errorResponse({
    severity: "ERROR",
    code: SQLSTATE.programLimitExceeded,
    message: `result exceeds this connection's limit of ${limit} rows`,
    hint: `add LIMIT ${limit}`,
  });
}

export interface ResultsOptions {
  readonly mode: "query" | "execute";
  /** The masking of statement `index` of the text, once its RowDescription is known. */
  readonly maskingFor: (index: number, fields: readonly FieldDescription[]) => ColumnMasking | Promise<ColumnMasking>;
  /** Errors of a statement touching masked columns keep only their SQLSTATE. */
  readonly hideErrors: boolean;
  /** COPY … FROM STDIN started (true) or ended (false): the client's CopyData then goes straight through. */
  readonly onCopyIn: (active: boolean) => void;
  /** Masking refused the result: stop the target producing rows nobody will see. */
  readonly onRefused: () => void;
  /** Most rows (COPY: data messages, one more for a header) one statement may return; Infinity: no limit. */
  readonly rowLimit: number;
  /** Execute of a suspended portal: the rows it returned before. */
  readonly rowsBefore?: number;
  /** The result went past `rowLimit`: the error was sent; the connection stops the target this way. */
  readonly onLimit: (action: LimitAction) => void;
}

export class ResultsExpectation implements Expectation {
  readonly sync: boolean;
  readonly extended: boolean;
  readonly results: StatementResult[] = [];
  error: { sqlState: string; message: string } | null = null;
  /** Execute: the portal's masking (from its description). */
  masking: ColumnMasking | null = null;
  skipped = false;
  readonly finished: Promise<void>;
  #resolve!: () => void;
  #index = 0;
  #rows = 0;
  #sample: unknown[][] = [];
  #refused = false;
  #copyText = false;
  /** Past the row limit: the error was sent, nothing more of this answer reaches the client. */
  #overLimit = false;
  /** …and the target has failed too (the cancel landed, or its own error). */
  #targetFailed = false;
  readonly #started = performance.now();

  constructor(private readonly options: ResultsOptions) {
    this.sync = options.mode === "query";
    this.extended = options.mode === "execute";
    this.finished = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** Masking refused this result at a hidden Describe: its rows and completion are dropped (the error was sent). */
  refuse(): void {
    this.#refused = true;
    this.error = { sqlState: SQLSTATE.insufficientPrivilege, message: "masking refused the result" };
  }

  skip(): void {
    this.skipped = true;
    this.#resolve();
  }

  /** Rows relayed to the client by this answer (Execute: to add to the portal's count). */
  get rowsRelayed(): number {
    return this.#overLimit ? this.options.rowLimit - (this.options.rowsBefore ?? 0) : this.#rows;
  }

  take(frame: Frame, out: Output): boolean | Promise<boolean> {
    if (this.#overLimit) return this.#afterLimit(frame, out);
    switch (frame.code) {
      case Code.DataRow: {
        if (this.#refused) return false;
        if (++this.#rows + (this.options.rowsBefore ?? 0) > this.options.rowLimit) return this.#limitReached(out, this.options.mode === "query" ? "cancel" : null);
        const mask = this.masking?.mask;
        const masked = mask ? mask(frame.payload) : null;
        out.push(masked ?? frame.raw);
        if (this.#sample.length < SAMPLE_ROWS) this.#sample.push(sampleRow(masked ? masked.subarray(5) : frame.payload, this.masking));
        return false;
      }
      case Code.RowDescription: {
        if (this.#refused) return false;
        const fields = parseRowDescription(frame.payload);
        const built = this.#build(fields);
        if (built instanceof Promise) return built.then((masking) => this.#described(masking, frame, out));
        return this.#described(built, frame, out);
      }
      case Code.CommandComplete:
        return this.#complete(frame, out, frame.payload.toString("utf8", 0, Math.max(0, frame.payload.length - 1)));
      case Code.EmptyQueryResponse:
        return this.#complete(frame, out, "");
      case Code.PortalSuspended:
        out.push(frame.raw);
        this.#record("SELECT", this.#rows, true);
        return this.#done();
      case Code.ErrorResponse: {
        this.options.onCopyIn(false);
        this.error = errorFields(frame);
        if (!this.#refused) out.push(scrubNotice(frame, this.options.hideErrors));
        this.#refused = false;
        if (this.options.mode === "execute") return this.#done();
        this.#next();
        return false;
      }
      case Code.CopyInResponse:
        this.options.onCopyIn(true);
        out.push(frame.raw);
        return false;
      case Code.CopyOutResponse:
        this.#copyText = frame.payload[0] === 0;
        out.push(frame.raw);
        return false;
      case Code.CopyData:
        // one row per message; one more is let through for a CSV header line (or the binary format's trailer)
        if (++this.#rows + (this.options.rowsBefore ?? 0) > this.options.rowLimit + 1) return this.#limitReached(out, "cancel");
        // COPY out of a table policy masks is refused before it runs; the detectors still read text COPY data
        out.push(this.#copyText ? copyLine(frame) : frame.raw);
        return false;
      case Code.ReadyForQuery:
        out.push(frame.raw);
        return this.#done();
      default:
        if (!this.#refused) out.push(frame.raw);
        return false;
    }
  }

  /** The first row past the limit: the client gets the error now, as from a runtime error mid-result. */
  #limitReached(out: Output, action: LimitAction | null): false {
    this.#overLimit = true;
    const limit = this.options.rowLimit;
    this.error = { sqlState: SQLSTATE.programLimitExceeded, message: `result exceeds this connection's limit of ${limit} rows` };
    out.push(rowLimitError(limit));
    if (action) this.options.onLimit(action);
    return false;
  }

  /**
   * Past the limit, up to the end of this answer, nothing reaches the client but the final ReadyForQuery (simple
   * Query). An Execute ends at its PortalSuspended / CommandComplete (it asked for one row more than allowed), a
   * COPY or a simple Query when the cancel lands (the target's 57014) or when the statement finished first.
   */
  #afterLimit(frame: Frame, out: Output): boolean {
    switch (frame.code) {
      case Code.ErrorResponse:
        this.options.onCopyIn(false);
        this.#targetFailed = true;
        return this.options.mode === "execute" ? this.#done() : false;
      case Code.PortalSuspended:
      case Code.CommandComplete:
      case Code.EmptyQueryResponse:
        this.options.onCopyIn(false);
        if (this.options.mode !== "execute") return false;
        // the target's portal did not fail: its transaction must, as the client's did
        this.options.onLimit("abort");
        return this.#done();
      case Code.ReadyForQuery:
        if (!this.#targetFailed && frame.payload[0] === 0x54) {
          // inside a transaction, the statement finished before the cancel landed: the connection fails the
          // target's transaction and relays its ReadyForQuery ('E') instead of this one
          this.options.onLimit("abort");
        } else out.push(frame.raw);
        return this.#done();
      default:
        return false;
    }
  }

  #build(fields: readonly FieldDescription[]): ColumnMasking | Promise<ColumnMasking | MaskingRefusal> | MaskingRefusal {
    try {
      const built = this.options.maskingFor(this.#index, fields);
      if (built instanceof Promise) return built.catch((error: unknown) => (error instanceof MaskingRefusal ? error : Promise.reject(error)));
      return built;
    } catch (error) {
      if (error instanceof MaskingRefusal) return error;
      throw error;
    }
  }

  #described(masking: ColumnMasking | MaskingRefusal, frame: Frame, out: Output): boolean {
    if (masking instanceof MaskingRefusal) {
      this.#refused = true;
      this.error = { sqlState: SQLSTATE.insufficientPrivilege, message: masking.message };
      out.push(errorResponse({ severity: "ERROR", code: SQLSTATE.insufficientPrivilege, message: masking.message, hint: "Select the columns by name; masked columns come back masked." }));
      this.options.onRefused();
      return false;
    }
    this.masking = masking;
    out.push(masking.masksSomething ? rowDescription(masking.fields) : frame.raw);
    return false;
  }

  #complete(frame: Frame, out: Output, tag: string): boolean {
    this.options.onCopyIn(false);
    if (this.#refused) {
      // the refused statement's end: its error was sent instead
      this.#refused = false;
      if (this.options.mode === "execute") return this.#done();
      this.#next();
      return false;
    }
    out.push(frame.raw);
    const parts = tag.split(" ");
    const last = Number(parts[parts.length - 1]);
    const command = parts.filter((part) => !/^\d+$/.test(part)).join(" ") || tag;
    this.#record(command, Number.isFinite(last) && parts.length > 1 ? last : this.#rows, false);
    if (this.options.mode === "execute") return this.#done();
    this.#next();
    return false;
  }

  #record(command: string, rowCount: number, truncated: boolean): void {
    const fields = this.masking?.fields ?? [];
    this.results.push({
      statementIndex: this.#index,
      command,
      columns: fields.map((field) => ({ name: field.name, type: String(field.typeOid) })),
      rows: this.#sample,
      rowCount,
      truncated,
      durationMs: Math.round((performance.now() - this.#started) * 100) / 100,
    });
  }

  #next(): void {
    this.#index++;
    this.#rows = 0;
    this.#sample = [];
    if (this.options.mode === "query") this.masking = null;
  }

  #done(): true {
    this.#resolve();
    return true;
  }
}

function sampleRow(payload: Buffer, masking: ColumnMasking | null): unknown[] {
  const cells = dataRowCells(payload);
  return cells.map((cell, i) => {
    if (cell === null) return null;
    const field = masking?.fields[i];
    if (field && field.format === 1) return "(binary)";
    // unmasked columns that the detectors did not look at are still passed through them for the recording
    return redactDetected(cell.toString("utf8"));
  });
}

function copyLine(frame: Frame): Buffer {
  const text = frame.payload.toString("utf8");
  const scrubbed = redactDetected(text);
  return scrubbed === text ? frame.raw : copyData(Buffer.from(scrubbed, "utf8"));
}
