import type { FieldDescription, Frame } from "../protocols/postgres/messages";
import type { Output } from "./output";
import { Code, parseRowDescription } from "../protocols/postgres/parser";
import { scrubNotice, type Expectation } from "./responses";
import { MaskingRefusal, type ColumnMasking } from "./row-masking";
import { errorResponse, rowDescription } from "../protocols/postgres/serializer";
import { SQLSTATE } from "./errors";

// Describe's answer (ParameterDescription, then RowDescription or NoData), with masked columns announced as
// text. `hidden`: a Describe Airlock sent on its own (a driver that executes without describing), whose answer
// only teaches the gateway the portal's columns and is never relayed.

export interface DescribeOptions {
  readonly hidden: boolean;
  readonly build: (fields: readonly FieldDescription[]) => ColumnMasking | Promise<ColumnMasking>;
  /** The description as the gateway keeps it: the original fields and their masking (empty for NoData). */
  readonly described: (fields: readonly FieldDescription[], masking: ColumnMasking | null) => void;
  /** Masking refused the result shape: the client gets an error and its group is skipped to Sync. */
  readonly refused: () => void;
}

export function describeReply(options: DescribeOptions): Expectation {
  const finish = (fields: readonly FieldDescription[], frame: Frame, out: Output, masking: ColumnMasking | MaskingRefusal): true => {
    if (masking instanceof MaskingRefusal) {
      out.push(errorResponse({ severity: "ERROR", code: SQLSTATE.insufficientPrivilege, message: masking.message }));
      options.refused();
      return true;
    }
    options.described(fields, masking);
    if (!options.hidden) out.push(masking.masksSomething ? rowDescription(masking.fields) : frame.raw);
    return true;
  };
  return {
    sync: false,
    extended: true,
    take(frame, out) {
      switch (frame.code) {
        case Code.RowDescription: {
          const fields = parseRowDescription(frame.payload);
          let built: ColumnMasking | Promise<ColumnMasking>;
          try {
            built = options.build(fields);
          } catch (error) {
            if (error instanceof MaskingRefusal) return finish(fields, frame, out, error);
            throw error;
          }
          if (built instanceof Promise) {
            return built.then(
              (masking) => finish(fields, frame, out, masking),
              (error: unknown) => {
                if (error instanceof MaskingRefusal) return finish(fields, frame, out, error);
                throw error;
              },
            );
          }
          return finish(fields, frame, out, built);
        }
        case Code.NoData:
          options.described([], null);
          if (!options.hidden) out.push(frame.raw);
          return true;
        case Code.ErrorResponse:
          out.push(scrubNotice(frame, false));
          return true;
        default:
          // ParameterDescription
          if (!options.hidden) out.push(frame.raw);
          return false;
      }
    },
    skip() {},
  };
}
