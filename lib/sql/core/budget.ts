// A per-statement work budget: a deadline checked every few nodes and a nesting-depth ceiling, so that
// hostile input (huge or deeply nested) ends as `unknown` quickly instead of hanging or overflowing the stack.

import { AnalysisAbort } from "../errors";

/** Wall-clock budget for walking one input's syntax trees. */
export const ANALYSIS_TIME_BUDGET_MS = 50;
/** Deepest expression/subquery nesting the walkers follow. */
export const MAX_NESTING_DEPTH = 256;

const CHECK_EVERY = 128;

export class Budget {
  private nodes = 0;
  private depth = 0;
  private readonly deadline: number;

  constructor(timeBudgetMs: number = ANALYSIS_TIME_BUDGET_MS, now: number = performance.now()) {
    this.deadline = now + timeBudgetMs;
  }

  /** Count one visited node; every CHECK_EVERY nodes compare the clock with the deadline. */
  tick(): void {
    if (++this.nodes % CHECK_EVERY === 0 && performance.now() > this.deadline) {
      throw new AnalysisAbort("time_budget_exceeded");
    }
  }

  enter(): void {
    if (++this.depth > MAX_NESTING_DEPTH) throw new AnalysisAbort("nesting_too_deep");
    this.tick();
  }

  leave(): void {
    this.depth--;
  }

  expired(): boolean {
    return performance.now() > this.deadline;
  }
}
