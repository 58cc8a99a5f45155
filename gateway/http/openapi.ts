import { z } from "zod";
import { approvalQuery, connectionsResponse, pendingResponse, problem, queryBody, queryParams, resultResponse, schemaResponse } from "./schemas";

// GET /v1/openapi.json: the HTTP API described from the very zod schemas that validate its requests (schemas.ts),
// so the document cannot drift from what the gateway accepts. Built once per process.

type JsonSchema = Record<string, unknown>;

/** A request body's schema: what a client may send (defaults make fields optional). */
const input = (schema: z.ZodType): JsonSchema => strip(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }));
/** A response's schema: what the gateway writes. */
const output = (schema: z.ZodType): JsonSchema => strip(z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }));

/** OpenAPI 3.1 takes JSON Schema 2020-12 as it is, without its own `$schema` line inside each schema. */
function strip(schema: JsonSchema): JsonSchema {
  const rest = { ...schema };
  delete rest.$schema;
  return rest;
}

/** Query parameters from an object schema: one parameter per property. */
function parameters(schema: z.ZodObject): JsonSchema[] {
  const json = input(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    ...(typeof property.description === "string" ? { description: property.description } : {}),
    schema: property,
  }));
}

const json = (schema: JsonSchema) => ({ "application/json": { schema } });
const problemResponse = (description: string) => ({ description, content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } });
const resultContent = {
  ...json({ $ref: "#/components/schemas/Result" }),
  "text/csv": { schema: { type: "string" } },
  "text/plain": { schema: { type: "string", description: "The compact table form, rows fenced as untrusted data" } },
};

let built: JsonSchema | undefined;

export function openApiDocument(): JsonSchema {
  built ??= {
    openapi: "3.1.0",
    info: {
      title: "Airlock gateway API",
      version: "1",
      description:
        "Run SQL on the databases an Airlock admin granted you, under policy: blocked statements are refused with a reason and hints, " +
        "sensitive columns come back masked, and risky statements wait for a person's approval (202, then poll the approval).",
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An Airlock agent token, or an OIDC JWT from your identity provider" } },
      schemas: {
        QueryRequest: input(queryBody),
        Result: output(resultResponse),
        Pending: output(pendingResponse),
        Problem: output(problem),
        Connections: output(connectionsResponse),
        SchemaDescription: output(schemaResponse),
      },
    },
    paths: {
      "/v1/query": {
        post: {
          operationId: "query",
          summary: "Run one SQL text under policy",
          parameters: parameters(queryParams),
          requestBody: { required: true, content: json({ $ref: "#/components/schemas/QueryRequest" }) },
          responses: {
            "200": { description: "The (masked) result", content: resultContent },
            "202": { description: "Waiting for a person's approval: poll the approval", content: json({ $ref: "#/components/schemas/Pending" }) },
            "400": problemResponse("Invalid request, or a syntax error (nothing was run)"),
            "401": problemResponse("Missing, unknown, expired or revoked credentials"),
            "403": problemResponse("Blocked by policy (with the rule and hints), or no grant to the connection"),
            "404": problemResponse("No such connection"),
            "413": problemResponse("The statement is too large"),
            "422": problemResponse("The database refused it, or a rule asks for a reason (reason_required)"),
            "503": problemResponse("Recording or approvals unavailable: nothing was run"),
          },
        },
      },
      "/v1/approvals/{id}": {
        get: {
          operationId: "awaitApproval",
          summary: "Wait for a paused statement's decision; once approved it runs, once, and its result is returned",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }, ...parameters(approvalQuery)],
          responses: {
            "200": { description: "Approved: the statement ran; its result", content: resultContent },
            "202": { description: "Still pending", content: json({ $ref: "#/components/schemas/Pending" }) },
            "403": problemResponse("Rejected (the reviewer's reason), or blocked by a policy changed meanwhile"),
            "404": problemResponse("No such approval for this agent"),
            "409": problemResponse("Already used: an approval runs its statement once"),
            "410": problemResponse("Expired"),
          },
        },
      },
      "/v1/connections": {
        get: {
          operationId: "listConnections",
          summary: "The connections you may use",
          responses: { "200": { description: "Granted connections", content: json({ $ref: "#/components/schemas/Connections" }) }, "401": problemResponse("Not authenticated") },
        },
      },
      "/v1/connections/{name}/schema": {
        get: {
          operationId: "describeSchema",
          summary: "Tables and columns of a connection, masked columns marked",
          parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": { description: "The schema as policy shows it to you", content: json({ $ref: "#/components/schemas/SchemaDescription" }) },
            "403": problemResponse("No grant to the connection"),
            "404": problemResponse("No such connection"),
          },
        },
      },
      "/v1/openapi.json": {
        get: { operationId: "openapi", summary: "This document", security: [], responses: { "200": { description: "OpenAPI 3.1", content: json({ type: "object" }) } } },
      },
    },
  };
  return built;
}
