import pg from "pg";
import type { Connection, FieldDef, Submittable } from "pg";
import { TargetError } from "../errors";
import { PG_TRANSACTION_IDENTITY_SQL, pgTransactionIdentityParams, type IdentityValues } from "../identity";

// One agent statement in one round trip: everything below is written at once (extended protocol, one Sync)
//
//   BEGIN [READ ONLY]                       Parse / Bind / Execute
//   SET LOCAL statement_timeout = <ms>      Parse / Bind / Execute
//     — or, with the agent's identity, in its place (identity.ts; its one row is not kept; named, and parsed only
//       the first time on a connection):
//   SELECT set_config('statement_timeout', $1, true), set_config('airlock.agent', $2, true), …   [Parse] / Bind / Execute
//   <statement>                             Parse / Bind ($1… values) / Describe portal / Execute (max rows)
//   COMMIT                                  Parse / Bind / Execute
//   Sync
//
// The statement's portal hands back at most `maxRows` rows (rowLimit + 1): with more, the server answers
// PortalSuspended and never produces the rest; COMMIT's Bind to the unnamed portal drops it. After any error
// the server skips to Sync, so COMMIT does not run and the session is left in a failed transaction (status 'E')
// for the caller to roll back. Because the statement runs inside an explicit transaction block, a DO block or
// procedure cannot COMMIT its way out of READ ONLY, and statements that refuse transaction blocks fail (25001),
// exactly as with separate BEGIN/COMMIT round trips. Several statements in one transaction are one such round trip
// each: BEGIN and SET LOCAL in front of the first, COMMIT behind the last (the block outlives the Syncs between).

export interface StatementOptions {
  readonly readOnly: boolean;
  /** Whole milliseconds (see watch.ts wholeMs); interpolated into SET LOCAL. */
  readonly timeoutMs: number;
  /** Execute's row limit, ≥ 1 (0 would mean "all rows" to the server). */
  readonly maxRows: number;
  /** Rows past this many bytes of values are not kept (the outcome says `cut`). */
  readonly maxBytes?: number;
  /**
   * Several statements in one transaction (target.ts executeAll): only the first opens it (BEGIN, SET LOCAL) and
   * only the last commits it. Both default to true: one statement, its own transaction.
   */
  readonly begins?: boolean;
  readonly commits?: boolean;
  /** The agent's identity, set transaction-locally with the timeout (only where the transaction begins). */
  readonly identity?: IdentityValues;
  /**
   * The connection already holds the identity statement, prepared by an earlier call (`preludeAnswered`): it is
   * only bound and executed, not parsed and planned again.
   */
  readonly identityPrepared?: boolean;
}

/** The identity statement's name on a pooled connection (prepared there once, kept while the connection lives). */
export const IDENTITY_STATEMENT = "airlock_identity";

export interface StatementOutcome {
  readonly rows: unknown[][];
  readonly fields: FieldDef[];
  /** The command tag's verb; null when the portal was suspended (more rows than maxRows) or the text was empty. */
  readonly command: string | null;
  readonly rowCount: number | null;
  /** True when the server stopped at maxRows with rows still to come. */
  readonly suspended: boolean;
  /** True when rows were dropped for passing maxBytes. */
  readonly cut: boolean;
}

/** pg's Result, the parts used here (typed loosely by @types/pg). */
interface RowParser {
  command: string | null;
  rowCount: number | null;
  fields: FieldDef[];
  addFields(fields: unknown[]): void;
  parseRow(fields: unknown[]): unknown[];
  addCommandComplete(message: unknown): void;
}

/** pg's Connection as it really is (8.x): @types/pg's message configs are stricter than the serializer. */
interface Wire {
  readonly stream: { cork?: () => void; uncork?: () => void };
  parse(query: { text: string; name?: string }): void;
  bind(config: { statement?: string; values?: readonly unknown[] }): void;
  describe(message: { type: "P"; name: string }): void;
  execute(config: { rows?: number }): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

const prepareValue = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils.prepareValue;
const MAX_ROWS = 2_147_483_647;

export class PipelinedStatement implements Submittable {
  /** Settles once the server has answered the whole pipeline (ReadyForQuery), or on the first error. */
  readonly done: Promise<StatementOutcome>;
  /** pg's Client fills in the connection's type parsers (`_result._types`) when the query is queued. */
  readonly _result: RowParser;
  readonly #text: string;
  readonly #values: unknown[];
  readonly #prelude: readonly Prelude[];
  readonly #maxRows: number;
  readonly #commits: boolean;
  readonly #rows: unknown[][] = [];
  readonly #maxBytes: number;
  #bytes = 0;
  #cut = false;
  /** Execute messages answered so far (CommandComplete, EmptyQueryResponse or PortalSuspended). */
  #answered = 0;
  #suspended = false;
  #parseFailure: unknown;
  #settled = false;
  #resolve!: (outcome: StatementOutcome) => void;
  #reject!: (error: unknown) => void;

  constructor(text: string, values: readonly unknown[], options: StatementOptions) {
    this.#text = text;
    // mapped here, like pg-cursor: a value that cannot be sent throws before anything is written
    this.#values = values.map((value) => prepareValue(value));
    this.#prelude = options.begins === false ? [] : [{ text: options.readOnly ? "BEGIN READ ONLY" : "BEGIN" }, settings(options)];
    this.#commits = options.commits !== false;
    this.#maxRows = Math.min(Math.max(1, Math.floor(options.maxRows)), MAX_ROWS);
    this.#maxBytes = options.maxBytes ?? Infinity;
    this._result = new pg.Result("array", undefined as never) as unknown as RowParser;
    this.done = new Promise<StatementOutcome>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.done.catch(() => undefined);
  }

  submit(connection: Connection): void {
    const wire = connection as unknown as Wire;
    wire.stream.cork?.();
    try {
      for (const statement of this.#prelude) simple(wire, statement);
      wire.parse({ text: this.#text });
      wire.bind({ values: this.#values });
      wire.describe({ type: "P", name: "" });
      wire.execute({ rows: this.#maxRows });
      if (this.#commits) simple(wire, { text: "COMMIT" });
      wire.sync();
    } finally {
      wire.stream.uncork?.();
    }
  }

  /** Every statement in front of the agent's was answered (so the identity statement, if any, is prepared). */
  get preludeAnswered(): boolean {
    return this.#answered >= this.#prelude.length;
  }

  handleRowDescription(message: { fields: unknown[] }): void {
    this._result.addFields(message.fields);
  }

  handleDataRow(message: { fields: unknown[] }): void {
    // the identity's set_config row belongs to the prelude
    if (this.#parseFailure !== undefined || this.#answered !== this.#prelude.length || this.#cut) return;
    for (const field of message.fields) this.#bytes += typeof field === "string" || Buffer.isBuffer(field) ? field.length : 8;
    if (this.#bytes > this.#maxBytes) {
      this.#cut = true; // the rows still to come are read off the wire and dropped
      return;
    }
    try {
      this.#rows.push(this._result.parseRow(message.fields));
    } catch (error) {
      this.#parseFailure = error;
    }
  }

  handleCommandComplete(message: unknown): void {
    if (this.#answered === this.#prelude.length) this._result.addCommandComplete(message);
    this.#answered++;
  }

  handleEmptyQuery(): void {
    this.#answered++;
  }

  handlePortalSuspended(): void {
    if (this.#answered === this.#prelude.length) this.#suspended = true;
    this.#answered++;
  }

  /**
   * COPY … FROM STDIN: the server reads the COMMIT already written behind the statement as a protocol violation
   * and ends the session. Answer with a plain error (no SQLSTATE, so the caller drops the connection).
   */
  handleCopyInResponse(connection: Connection): void {
    this.#settle(() => this.#reject(new TargetError("sql_error", "COPY … FROM STDIN is not supported through the gateway")));
    (connection as unknown as Wire).sendCopyFail("COPY FROM STDIN is not supported through the gateway");
  }

  handleCopyData(): void {
    // COPY TO STDOUT: the data is not kept
  }

  handleError(error: unknown): void {
    this.#settle(() => this.#reject(error));
  }

  handleReadyForQuery(): void {
    this.#settle(() => {
      if (this.#parseFailure !== undefined) {
        this.#reject(this.#parseFailure);
        return;
      }
      this.#resolve({
        rows: this.#rows,
        fields: this._result.fields,
        command: this.#suspended ? null : this._result.command,
        rowCount: this.#suspended ? null : this._result.rowCount,
        suspended: this.#suspended,
        cut: this.#cut,
      });
    });
  }

  #settle(work: () => void): void {
    if (this.#settled) return;
    this.#settled = true;
    work();
  }
}

/** A statement written ahead of the agent's (`values`: text parameters, bound; `name`: a named statement). */
interface Prelude {
  readonly text: string;
  readonly values?: readonly string[];
  readonly name?: string;
  /** The named statement exists on the connection: Bind and Execute only. */
  readonly prepared?: boolean;
}

function settings(options: StatementOptions): Prelude {
  if (options.identity === undefined) return { text: `SET LOCAL statement_timeout = ${options.timeoutMs}` };
  const values = pgTransactionIdentityParams(options.timeoutMs, options.identity);
  return { text: PG_TRANSACTION_IDENTITY_SQL, values, name: IDENTITY_STATEMENT, prepared: options.identityPrepared === true };
}

/** A statement on the unnamed portal (its answer: [ParseComplete,] BindComplete, [DataRow,] CommandComplete). */
function simple(wire: Wire, statement: Prelude): void {
  const name = statement.name ?? "";
  if (!statement.prepared) wire.parse({ text: statement.text, name });
  wire.bind({ statement: name, ...(statement.values === undefined ? {} : { values: statement.values }) });
  wire.execute({});
}
