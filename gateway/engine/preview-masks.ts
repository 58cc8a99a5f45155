import { compileRowMasker, resolveMasks, type MaskingOptions } from "../../lib/masking";
import { evaluate, type CompiledPolicy } from "../../lib/policy";
import { analyze } from "../../lib/sql";
import type { Connection } from "../../lib/store/generated/client";
import type { PreviewMasker } from "../approvals/preview/types";
import { dialectOf, evaluationContext } from "./context";
import type { EngineAgent } from "./types";

// A dry run's sample rows leave the target only masked, exactly as the agent would see the same columns read with
// `SELECT columns FROM table`: that statement is analysed and decided for the agent, and its masking plan goes
// through the one resolver (policy's masks and the value detectors). Anything policy would not let the agent read
// that way (a block, a plan that does not fit) comes back wholly hidden rather than guessed at.

const HIDDEN = "[hidden]";

export function previewMasker(compiled: CompiledPolicy, agent: EngineAgent, connection: Connection, masking: MaskingOptions, now: Date): PreviewMasker {
  const dialect = dialectOf(connection);
  const quote = dialect === "mysql" ? (name: string) => `\`${name.replace(/`/g, "``")}\`` : (name: string) => `"${name.replace(/"/g, '""')}"`;
  return async (table, columns, rows) => {
    const hideAll = () => ({ rows: rows.map((row) => (row ? row.map(() => HIDDEN) : null)), maskedColumns: [...columns] });
    if (columns.length === 0) return { rows, maskedColumns: [] };
    const sql = `SELECT ${columns.map(quote).join(", ")} FROM ${table.split(".").map(quote).join(".")}`;
    const decision = evaluate(compiled, analyze(sql, dialect), evaluationContext(agent, connection, now));
    if (decision.action === "block") return hideAll();
    const resolved = resolveMasks(
      decision.maskingByStatement[0],
      columns.map((name) => ({ name, source: `${table}.${name}` })),
    );
    if (!resolved.ok) return hideAll();
    const mask = compileRowMasker(resolved.columns.map((column) => column.mask), masking);
    return {
      rows: rows.map((row) => (row ? mask(row) : null)),
      maskedColumns: columns.filter((_, index) => resolved.columns[index]!.masked !== undefined),
    };
  };
}
