import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createGatewayFixture, query, request, startGateway, type GatewayFixture, type RunningGateway } from "./support";

// /v1/openapi.json, on a real gateway: public, OpenAPI 3.1, every endpoint described, and generated from the schemas
// that validate requests — checked by sending what the document allows and what it does not, and by reading real
// answers against the documented response shapes.

let fx: GatewayFixture;
let gw: RunningGateway;

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  maximum?: number;
  enum?: unknown[];
  $ref?: string;
}

interface Document {
  openapi: string;
  paths: Record<
    string,
    Record<string, { parameters?: { name: string; in: string; schema: Schema }[]; requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>
  >;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, unknown> };
}

let doc: Document;

beforeAll(async () => {
  fx = await createGatewayFixture("openapi");
  gw = await startGateway(fx);
  const answer = await request<Document>(`${gw.url}/v1/openapi.json`, { token: null });
  expect(answer.status, answer.text).toBe(200);
  doc = answer.body;
});

afterAll(async () => {
  await gw?.stop();
  await fx?.cleanup();
});

const resolve = (schema: Schema): Schema => (schema.$ref ? doc.components.schemas[schema.$ref.replace("#/components/schemas/", "")]! : schema);

/** Every field of `body` is documented, and every documented required field is there. */
function expectShape(body: Record<string, unknown>, schema: Schema, what: string): void {
  const resolved = resolve(schema);
  for (const key of Object.keys(body)) expect(Object.keys(resolved.properties ?? {}), `${what}: undocumented field ${key}`).toContain(key);
  for (const key of resolved.required ?? []) expect(body, `${what}: missing ${key}`).toHaveProperty(key);
}

describe("the OpenAPI document", () => {
  test("is public, OpenAPI 3.1, with bearer security and every endpoint the gateway serves", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.securitySchemes).toHaveProperty("bearer");
    expect(Object.keys(doc.paths).sort()).toEqual(["/v1/approvals/{id}", "/v1/connections", "/v1/connections/{name}/schema", "/v1/openapi.json", "/v1/query"]);
    expect(Object.keys(doc.paths["/v1/query"]!)).toEqual(["post"]);
  });

  test("the query body it documents is the one the gateway accepts, and nothing more", async () => {
    const body = resolve(doc.paths["/v1/query"]!.post!.requestBody!.content["application/json"]!.schema);
    expect(body.required?.sort()).toEqual(["connection", "sql"]);
    expect(body.additionalProperties).toBe(false);
    const base = { connection: "shop_pg", sql: "SELECT 1 AS one" };
    expect((await query(gw.url, fx.tokens.valid, base)).status).toBe(200);
    // Each documented optional field is accepted with a value of its documented type.
    const samples: Record<string, unknown> = { params: [], wait: 0, reason: "checking", format: "json" };
    for (const name of Object.keys(body.properties ?? {}).filter((key) => !(body.required ?? []).includes(key))) {
      expect(samples, `a sample value for the documented field ${name}`).toHaveProperty(name);
      const answer = await query(gw.url, fx.tokens.valid, { ...base, [name]: samples[name] });
      expect(answer.status, `${name}: ${answer.text}`).toBe(200);
    }
    // What it does not document is refused: an unknown field, a missing required one, a value past its maximum, outside its enum.
    for (const bad of [{ ...base, unknown: 1 }, { connection: "shop_pg" }, { ...base, wait: body.properties!.wait!.maximum! + 1 }, { ...base, format: "xml" }]) {
      const answer = await query(gw.url, fx.tokens.valid, bad);
      expect(answer.status, JSON.stringify(bad)).toBe(400);
    }
    expect(body.properties!.format!.enum).toEqual(["json", "csv", "table"]);
  });

  test("the approval's query parameters are the ones the gateway checks", async () => {
    const parameters = doc.paths["/v1/approvals/{id}"]!.get!.parameters!;
    expect(parameters.map((parameter) => `${parameter.in}:${parameter.name}`)).toEqual(["path:id", "query:wait", "query:format"]);
    const wait = parameters.find((parameter) => parameter.name === "wait")!.schema;
    const missing = "00000000-0000-4000-8000-000000000000";
    expect((await request(`${gw.url}/v1/approvals/${missing}?wait=${wait.maximum! + 1}`, { token: fx.tokens.valid })).status).toBe(400);
    expect((await request(`${gw.url}/v1/approvals/${missing}?wait=0`, { token: fx.tokens.valid })).status).toBe(404);
    expect((await request(`${gw.url}/v1/approvals/${missing}?format=xml`, { token: fx.tokens.valid })).status).toBe(400);
  });

  test("real answers have the documented shapes: a result, a pending approval, a refusal, the connections", async () => {
    const result = await query(gw.url, fx.tokens.valid, { connection: "shop_pg", sql: "SELECT id, card_number FROM customers ORDER BY id LIMIT 2" });
    expectShape(result.body as unknown as Record<string, unknown>, doc.paths["/v1/query"]!.post!.responses["200"]!.content!["application/json"]!.schema, "result");
    const pending = await query(gw.url, fx.tokens.valid, { connection: "shop_pg", sql: "UPDATE orders SET status = 'paid' WHERE id = 1" });
    expect(pending.status).toBe(202);
    expectShape(pending.body as unknown as Record<string, unknown>, doc.paths["/v1/query"]!.post!.responses["202"]!.content!["application/json"]!.schema, "pending");
    const blocked = await query(gw.url, fx.tokens.valid, { connection: "shop_pg", sql: "DROP TABLE orders" });
    expect(blocked.status).toBe(403);
    const problem = resolve(doc.components.schemas.Problem!);
    for (const key of problem.required ?? []) expect(blocked.body).toHaveProperty(key);
    const connections = await request(`${gw.url}/v1/connections`, { token: fx.tokens.valid });
    expectShape(connections.body as unknown as Record<string, unknown>, doc.paths["/v1/connections"]!.get!.responses["200"]!.content!["application/json"]!.schema, "connections");
  });
});
