// Minimal local types for pg-cursor 2.x (the project has no @types/pg-cursor). Only what postgres/ uses;
// delete this file if @types/pg-cursor is ever added.
declare module "pg-cursor" {
  import type { FieldDef, Submittable } from "pg";

  interface CursorConfig {
    rowMode?: "array";
  }

  /** pg's Result as the cursor fills it (fields from RowDescription, command/rowCount from CommandComplete). */
  interface CursorResult {
    command: string | null;
    rowCount: number | null;
    fields: FieldDef[];
  }

  class Cursor<Row = unknown[]> implements Submittable {
    constructor(text: string, values?: readonly unknown[] | null, config?: CursorConfig);
    submit: Submittable["submit"];
    read(rowCount: number): Promise<Row[]>;
    close(): Promise<void>;
    /** pg-cursor's internal Result; read after `read` resolves. */
    readonly _result: CursorResult;
  }

  export default Cursor;
}
