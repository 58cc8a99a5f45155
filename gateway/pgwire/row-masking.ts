import { compileColumn, type MaskingOptions } from "../../lib/masking";
import type { ResolvedMasks } from "../../lib/masking";
import type { FieldDescription } from "../protocols/postgres/messages";
import { dataRowCells } from "../protocols/postgres/parser";
import { dataRow } from "../protocols/postgres/serializer";

// The per-column masking array, built once at RowDescription: for each column either null (relayed as is) or a
// cell masker. A row with no masker at all is relayed as its raw frame (no decoding); otherwise only the masked
// cells are decoded, masked and the DataRow re-encoded. Masked columns are announced as `text`.
//
// lib/masking's resolver decides each column from the analysis lineage (policy's plan for the statement, by
// position), the column's origin in RowDescription (table oid + attribute number → a masked source column: masked
// even when the lineage missed it, e.g. through a view) and the value detectors; the strongest mask wins. What is
// the wire's own: binary-format cells cannot be masked, and detectors skip types whose text holds no secret.

export const TEXT_OID = 25;
/** Types whose text form cannot hold a card number, an e-mail address or a secret: no detectors run on them. */
const INERT_TYPES = new Set([16, 21, 23, 26, 700, 701, 1082, 1083, 1114, 1184, 1186, 1266, 2950, 3220, 28, 29, 1700 /* numeric: digits only */]);
/** Types whose binary form is their UTF-8 text. */
const TEXT_LIKE = new Set([25, 1043, 1042, 19, 114, 705, 0]);

export class MaskingRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MaskingRefusal";
  }
}

export interface ColumnMasking {
  /** RowDescription as the client sees it (masked columns typed text). */
  readonly fields: readonly FieldDescription[];
  /** Null when no column needs looking at: rows are relayed raw. Returns null when the row is unchanged. */
  readonly mask: ((payload: Buffer) => Buffer | null) | null;
  /** True when some column carries a strategy (the statement touches masked data). */
  readonly masksSomething: boolean;
}

export interface BuildInput {
  readonly fields: readonly FieldDescription[];
  /** Result format per column (Bind's result formats); undefined: the formats RowDescription carries. */
  readonly formats?: readonly number[];
  /** One mask per field, from the engine session's resolver (policy's plan, the field's origin, the detectors). */
  readonly resolved: ResolvedMasks;
  readonly options: MaskingOptions;
}

export function formatOf(formats: readonly number[] | undefined, index: number, fallback: number): number {
  if (formats === undefined) return fallback;
  if (formats.length === 0) return 0;
  return formats.length === 1 ? formats[0]! : (formats[index] ?? 0);
}

export function buildColumnMasking(input: BuildInput): ColumnMasking {
  const { fields, resolved } = input;
  if (!resolved.ok) throw new MaskingRefusal(resolved.message);
  const cells: (((value: unknown) => unknown) | null)[] = [];
  const out: FieldDescription[] = [];
  let any = false;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const { strategy, detect } = resolved.columns[i]!.mask;
    const format = formatOf(input.formats, i, field.format);
    let masker: ((value: unknown) => unknown) | null = null;
    if (strategy) {
      if (format === 1 && !TEXT_LIKE.has(field.typeOid)) {
        throw new MaskingRefusal(`Column "${field.name}" is masked and cannot be sent in binary format; ask for it in text format`);
      }
      masker = compileColumn({ strategy, detect }, input.options);
      out.push({ ...field, typeOid: TEXT_OID, typeSize: -1, typeModifier: -1 });
    } else {
      if (detect && !INERT_TYPES.has(field.typeOid) && (format === 0 || TEXT_LIKE.has(field.typeOid))) masker = compileColumn({ strategy: null, detect: true }, input.options);
      out.push(field);
    }
    cells.push(masker);
    if (masker) any = true;
  }
  return { fields: out, mask: any ? rowMasker(cells) : null, masksSomething: resolved.masksSomething };
}

function rowMasker(cells: readonly (((value: unknown) => unknown) | null)[]): (payload: Buffer) => Buffer | null {
  return (payload) => {
    const values = dataRowCells(payload);
    let changed = false;
    const out: (Uint8Array | null)[] = values;
    for (let i = 0; i < values.length; i++) {
      const masker = cells[i];
      const cell = values[i];
      if (!masker || cell === null || cell === undefined) continue;
      const text = cell.toString("utf8");
      const masked = masker(text);
      if (masked === text) continue;
      changed = true;
      out[i] = masked === null || masked === undefined ? null : Buffer.from(String(masked), "utf8");
    }
    return changed ? dataRow(out) : null;
  };
}
