import type { EvaluationContext } from "../../lib/policy";
import type { Dialect } from "../../lib/sql/types";
import type { Connection } from "../../lib/store/generated/client";
import type { Decision } from "../../lib/policy";
import type { EngineAgent } from "./types";

// What policy is evaluated against, built in one place for statements, view definitions, origins and schema
// descriptions alike: the connection, the agent (id, name, groups), the dialect and the clock.

export function dialectOf(connection: Pick<Connection, "engine">): Dialect {
  return connection.engine === "mysql" ? "mysql" : "postgres";
}

export function evaluationContext(agent: EngineAgent, connection: Pick<Connection, "name" | "engine">, now: Date): EvaluationContext {
  return { connection: connection.name, agentId: agent.agentId, agentName: agent.agentName, agentGroups: agent.groups, dialect: dialectOf(connection), now };
}

/** Most rows one statement may return, on every door: the connection's row limit, or the policy's maxRows when smaller. */
export function rowLimitOf(connection: Pick<Connection, "rowLimit">, decision: Exclude<Decision, { action: "block" }>): number {
  return Math.min(connection.rowLimit, decision.maxRows ?? Number.MAX_SAFE_INTEGER);
}
