import type { StatementAnalysis } from "../types";
import type { Budget } from "../core/budget";
export function analyzeMysql(_input: string, _budget: Budget): StatementAnalysis[] {
  return [];
}
