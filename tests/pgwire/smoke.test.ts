import { afterAll, beforeAll, expect, test } from "vitest";
import { createGatewayFixture, type GatewayFixture } from "../gateway/support";
import { startWireGateway, type WireGateway } from "./support";

let fx: GatewayFixture;
let wire: WireGateway;

beforeAll(async () => {
  fx = await createGatewayFixture("pgwire_smoke");
  wire = await startWireGateway(fx);
});

afterAll(async () => {
  await wire?.stop();
  await fx?.cleanup();
});

test("simple and extended queries", async () => {
  const client = await wire.client(fx.tokens.valid);
  const simple = await client.query("SELECT id, name, card_number FROM customers ORDER BY id");
  console.log(simple.rows);
  const prepared = await client.query("SELECT id, email FROM customers WHERE id = $1", [1]);
  console.log(prepared.rows, prepared.fields);
  console.log(wire.psql(fx.tokens.valid, "SELECT name, ssn FROM customers LIMIT 2", { full: true }));
  expect(simple.rows.length).toBe(5);
});
