import { z } from "zod";
import { MAX_REASON_CHARS } from "../../lib/approvals/reason";

// The HTTP API's shapes, in one place: the request schemas are the ones v1.ts validates with, and the response
// schemas describe what outcome.ts writes. /v1/openapi.json is generated from exactly these (openapi.ts).

export const MAX_WAIT_SECONDS = 300;
export const RESULT_FORMATS = ["json", "csv", "table"] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

const param = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const format = z.enum(RESULT_FORMATS).describe("How a result is written: json (default), csv (text/csv) or table (the compact text form)");

export const queryBody = z.strictObject({
  connection: z.string().min(1).max(128).describe("The Airlock connection's name (GET /v1/connections)"),
  sql: z.string().min(1, "sql must not be empty").describe("One SQL text; several statements in it run as one transaction"),
  params: z.array(param).max(1000).default([]).describe("Values for $1, $2… (PostgreSQL) or ? (MySQL)"),
  wait: z.number().min(0).max(MAX_WAIT_SECONDS).default(0).describe("Seconds to wait for an approval before answering 202"),
  reason: z.string().max(MAX_REASON_CHARS * 4).optional().describe("Why the agent needs this: shown to the people who approve it, and required by some rules"),
  format: format.optional(),
});

/** GET /v1/approvals/:id's query parameters. */
export const approvalQuery = z.object({
  wait: z.coerce.number().min(0).max(MAX_WAIT_SECONDS).default(0).describe(`Seconds to wait for the decision (0–${MAX_WAIT_SECONDS})`),
  format: format.optional(),
});

/** POST /v1/query's query parameters (the body's `format` wins). */
export const queryParams = z.object({ format: format.optional() });

const column = z.object({ name: z.string(), type: z.string(), untrusted: z.literal(true).optional().describe("Free text a policy marks as untrusted data") });
const masked = z.object({ column: z.string(), strategy: z.string(), source: z.string().optional(), via: z.string().optional(), rule: z.string().optional() });

const statementResult = z.object({
  command: z.string(),
  columns: z.array(column),
  rows: z.array(z.array(z.unknown())).describe("Values in column order; masked values as masked"),
  rowCount: z.number(),
  truncated: z.boolean().describe("The row limit cut the result"),
  masked: z.array(masked),
  durationMs: z.number(),
});

export const ticket = z.object({
  id: z.string(),
  status: z.enum(["pending", "approved", "rejected", "expired", "consumed"]),
  expiresAt: z.string(),
  url: z.string().describe("Where a person decides it"),
  message: z.string().optional(),
  comments: z.array(z.object({ by: z.string(), comment: z.string() })).optional().describe("The approvers' comments"),
});

export const resultResponse = statementResult.extend({
  results: z.array(statementResult).optional().describe("Every statement's result, when the text had several"),
  hints: z.array(z.string()),
  approval: ticket.optional().describe("The approval it ran under"),
  sessionId: z.string(),
  eventId: z.string(),
});

export const pendingResponse = z.object({
  status: z.literal("pending"),
  approval: ticket,
  poll: z.string().describe("GET this to wait for the decision"),
  hint: z.string(),
  sessionId: z.string(),
});

export const problem = z
  .object({
    type: z.string(),
    status: z.number(),
    code: z.string().describe("Stable: blocked, approval_rejected, reason_required, unknown_token, …"),
    title: z.string(),
    detail: z.string().optional(),
    hints: z.array(z.string()).optional().describe("What to change"),
  })
  .loose();

export const connectionsResponse = z.object({
  connections: z.array(z.object({ name: z.string(), engine: z.string(), description: z.string(), readOnly: z.boolean() })),
});

export const schemaResponse = z
  .object({
    connection: z.string().optional(),
    tables: z.array(
      z.object({
        schema: z.string().optional(),
        name: z.string(),
        columns: z.array(z.object({ name: z.string(), type: z.string(), masked: z.object({ strategy: z.string() }).loose().optional() }).loose()),
      }).loose(),
    ),
    hints: z.array(z.string()).optional(),
  })
  .loose();
