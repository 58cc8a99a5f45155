// One parsed PostgreSQL statement → its kind and facts. The walk fills `facts`; this file decides the kind
// and the per-kind fields (COPY target, EXPLAIN ANALYZE, the setting changed, LIMIT, DDL action).

import type {
  CallStmt,
  CopyStmt,
  DoStmt,
  ExplainStmt,
  IntoClause,
  Node,
  RangeVar,
  SelectStmt,
  VariableSetStmt,
} from "libpg-query";
import type { StatementAnalysis } from "../types";
import { AnalysisAbort } from "../errors";
import type { Budget } from "../core/budget";
import { StatementFacts } from "../core/facts";
import { wholeRow } from "../core/lineage";
import { buildStatement, type Classification, type StatementText } from "../core/statement";
import { intConstant, nameList, rangeVarName, stringValue, unwrap } from "./ast";
import { ddlOf, ddlTargets } from "./ddl";
import { walkExpr, walkFields } from "./expr";
import { scanDoBlock } from "./procedural";
import { PgWalker } from "./walker";

const SIMPLE_KIND: Readonly<Record<string, Classification["kind"]>> = {
  TransactionStmt: "transaction",
  DiscardStmt: "session",
  DeallocateStmt: "session",
  ConstraintsSetStmt: "transaction",
  GrantStmt: "grant",
  GrantRoleStmt: "grant",
  AlterDefaultPrivilegesStmt: "grant",
  LockStmt: "lock",
  VacuumStmt: "maintenance",
  ReindexStmt: "maintenance",
  ClusterStmt: "maintenance",
  CheckPointStmt: "maintenance",
  RefreshMatViewStmt: "maintenance",
  VariableShowStmt: "other",
  ListenStmt: "other",
  UnlistenStmt: "other",
  NotifyStmt: "other",
  FetchStmt: "other",
  ClosePortalStmt: "other",
  PrepareStmt: "other",
  LoadStmt: "other",
};

export function analyzePgStatement(node: Node, identity: StatementText, budget: Budget): StatementAnalysis {
  const facts = new StatementFacts();
  const walker = new PgWalker(facts, budget);
  const classification = classify(node, identity, walker);
  return buildStatement("postgres", identity, classification, facts);
}

function classify(node: Node, identity: StatementText, w: PgWalker): Classification {
  const [tag, fields] = unwrap(node);
  switch (tag) {
    case "SelectStmt":
      return select(fields as SelectStmt, w);
    case "InsertStmt":
    case "UpdateStmt":
    case "DeleteStmt":
    case "MergeStmt": {
      const outputColumns = w.statement(node, undefined);
      const kind = tag === "InsertStmt" ? "insert" : tag === "UpdateStmt" ? "update" : tag === "DeleteStmt" ? "delete" : "merge";
      const hasWhere = kind === "update" || kind === "delete" ? fields.whereClause !== undefined : true;
      return { kind, outputColumns, hasWhere };
    }
    case "CopyStmt":
      return copy(fields as CopyStmt, w);
    case "ExplainStmt":
      return explain(fields as ExplainStmt, identity, w);
    case "VariableSetStmt":
      return setting(fields as VariableSetStmt);
    case "DoStmt":
      scanDoBlock(fields as DoStmt, w);
      return { kind: "procedural" };
    case "CallStmt": {
      const call = (fields as CallStmt).funccall;
      if (call) walkExpr(w, { FuncCall: call }, w.scope(undefined), []);
      return { kind: "procedural" };
    }
    case "TruncateStmt":
      for (const rel of (fields.relations as Node[] | undefined) ?? []) {
        const rv = (rel as { RangeVar?: RangeVar }).RangeVar;
        if (rv) w.facts.written.add(rangeVarName(rv));
      }
      return { kind: "truncate" };
    case "ExecuteStmt":
      throw new AnalysisAbort("unanalysable", "EXECUTE runs a prepared statement whose text is not part of this input");
    case "DeclareCursorStmt": {
      const query = fields.query as Node | undefined;
      return { kind: "select", outputColumns: query ? w.statement(query, undefined) : [] };
    }
  }
  const simple = SIMPLE_KIND[tag];
  if (simple) {
    // Reads and calls inside (PREPARE's query, LOCK's tables, VACUUM's relations) still count.
    walkFields(w, fields, w.scope(undefined), []);
    if (tag === "LoadStmt") w.facts.fileAccess = true;
    // Relations held inline (not as wrapped RangeVar nodes): VACUUM/ANALYZE, CLUSTER, REINDEX.
    const inline = [fields.relation, ...((fields.rels as Node[] | undefined) ?? []).map((r) => unwrap(r)[1].relation)];
    for (const rv of inline) if (rv && typeof rv === "object") w.facts.read.add(rangeVarName(rv as RangeVar));
    if (tag === "RefreshMatViewStmt") moveReadToWritten(w, fields.relation as RangeVar | undefined);
    return { kind: simple };
  }
  const ddl = ddlOf(tag, fields);
  if (ddl) {
    const targets = ddlTargets(tag, fields, ddl.objectType);
    walkFields(w, fields, w.scope(undefined), []);
    for (const t of targets) {
      w.facts.read.delete(t);
      w.facts.written.add(t);
    }
    if (tag === "CreateTableSpaceStmt") w.facts.fileAccess = true;
    return { kind: "ddl", ddl };
  }
  throw new AnalysisAbort("unanalysable", `unsupported statement type ${tag}`);
}

function moveReadToWritten(w: PgWalker, rv: RangeVar | undefined): void {
  if (!rv) return;
  const name = rangeVarName(rv);
  w.facts.read.delete(name);
  w.facts.written.add(name);
}

function select(stmt: SelectStmt, w: PgWalker): Classification {
  const outputColumns = w.select(stmt, undefined);
  const limitNode = stmt.limitCount;
  const isNullLimit = (limitNode as { A_Const?: { isnull?: boolean } } | undefined)?.A_Const?.isnull === true;
  const hasLimit = limitNode !== undefined && !isNullLimit;
  const limit = hasLimit ? intConstant(limitNode) : undefined;
  const into = intoClauseOf(stmt);
  if (into?.rel) {
    // SELECT ... INTO new_table creates a table: DDL, not a read returning rows.
    w.facts.written.add(rangeVarName(into.rel));
    return { kind: "ddl", ddl: { action: "create", objectType: "table" } };
  }
  return { kind: "select", outputColumns, hasLimit, ...(limit !== undefined ? { limit } : {}) };
}

/** A set operation's INTO is written in its leftmost branch (`SELECT 1 INTO t UNION SELECT 2` creates t). */
function intoClauseOf(stmt: SelectStmt): IntoClause | undefined {
  let leaf: SelectStmt | undefined = stmt;
  while (leaf && !leaf.intoClause && leaf.op && leaf.op !== "SETOP_NONE") leaf = leaf.larg;
  return leaf?.intoClause;
}

function copy(stmt: CopyStmt, w: PgWalker): Classification {
  const direction = stmt.is_from ? "from" : "to";
  const target = stmt.is_program ? "program" : stmt.filename !== undefined ? "file" : "stdio";
  let outputColumns: Classification["outputColumns"] = [];
  if (stmt.query) {
    outputColumns = w.statement(stmt.query, undefined);
  } else if (stmt.relation) {
    const table = rangeVarName(stmt.relation);
    const columns = nameList(stmt.attlist);
    if (direction === "from") {
      w.facts.addWrite({ kind: "insert", table, hasWhere: true });
      const scope = w.scope(undefined);
      scope.add({ alias: stmt.relation.relname ?? table, table });
      w.predicate(stmt.whereClause, scope);
    } else {
      w.facts.read.add(table);
      outputColumns =
        columns.length > 0
          ? columns.map((column) => ({ name: column, sources: [{ table, column }], direct: true }))
          : [{ name: "*", sources: [wholeRow(table)], direct: true }];
    }
  }
  if (target !== "stdio") w.facts.fileAccess = true;
  return { kind: "copy", copy: { direction, target }, outputColumns: direction === "to" ? outputColumns : [] };
}

function explain(stmt: ExplainStmt, identity: StatementText, w: PgWalker): Classification {
  let analyze = false;
  for (const option of stmt.options ?? []) {
    const def = (option as { DefElem?: { defname?: string; arg?: Node } }).DefElem;
    if (def?.defname === "analyze") analyze = optionIsTrue(def.arg);
  }
  if (!stmt.query) return { kind: "explain" };
  const innerFacts = new StatementFacts();
  const innerWalker = new PgWalker(innerFacts, w.budget);
  const inner = buildStatement("postgres", identity, classify(stmt.query, identity, innerWalker), innerFacts);
  // Plain EXPLAIN only plans: it names what it would read. EXPLAIN ANALYZE runs the statement, writes and all.
  w.facts.absorb(innerFacts, { writes: analyze });
  return { kind: "explain", explain: { analyze, inner }, hasWhere: analyze ? inner.hasWhere : true };
}

function optionIsTrue(arg: Node | undefined): boolean {
  if (!arg) return true;
  const [tag, fields] = unwrap(arg);
  if (tag === "Boolean") return (fields as { boolval?: boolean }).boolval === true;
  if (tag === "Integer") return ((fields as { ival?: number }).ival ?? 0) !== 0;
  const text = (stringValue(arg) ?? (fields as { sval?: { sval?: string } }).sval?.sval ?? "").toLowerCase();
  return !["false", "off", "0", "no"].includes(text);
}

function setting(stmt: VariableSetStmt): Classification {
  if (stmt.kind === "VAR_RESET_ALL") return { kind: "session", setting: "all" };
  const name = (stmt.name ?? "").toLowerCase();
  if (name === "transaction" || name === "session characteristics") return { kind: "transaction", setting: name };
  return { kind: "session", setting: name };
}
