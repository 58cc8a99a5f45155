// What a walk learns about one statement, accumulated as it goes and frozen into a StatementAnalysis at the end.

import type { NestedWrite, SourceColumn, TableName } from "../types";
import { sourceKey } from "./lineage";

export class StatementFacts {
  readonly read = new Set<TableName>();
  readonly written = new Set<TableName>();
  readonly functions = new Set<string>();
  readonly writes: NestedWrite[] = [];
  private readonly predicate = new Map<string, SourceColumn>();
  private readonly stored = new Map<string, SourceColumn>();
  fileAccess = false;

  addPredicate(sources: readonly SourceColumn[]): void {
    for (const source of sources) {
      const key = sourceKey(source);
      if (!this.predicate.has(key)) this.predicate.set(key, source);
    }
  }

  /** Columns read by an expression whose value a write stores (UPDATE … SET, INSERT … ON CONFLICT SET, MERGE). */
  addStored(sources: readonly SourceColumn[]): void {
    for (const source of sources) {
      const key = sourceKey(source);
      if (!this.stored.has(key)) this.stored.set(key, source);
    }
  }

  storedColumns(): SourceColumn[] {
    return [...this.stored.values()];
  }

  addWrite(write: NestedWrite): void {
    this.written.add(write.table);
    this.writes.push(write);
  }

  predicateColumns(): SourceColumn[] {
    return [...this.predicate.values()];
  }

  /** Fold another statement's facts into this one (EXPLAIN ANALYZE, statements inside a DO body). */
  absorb(other: StatementFacts, options: { writes: boolean }): void {
    for (const t of other.read) this.read.add(t);
    for (const f of other.functions) this.functions.add(f);
    this.addPredicate(other.predicateColumns());
    this.addStored(other.storedColumns());
    this.fileAccess ||= other.fileAccess;
    if (options.writes) {
      for (const t of other.written) this.written.add(t);
      this.writes.push(...other.writes);
    }
  }
}
