import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { validatePolicy } from "../../lib/policy";
import { createGatewayFixture, query, startGateway, targetQuery, type GatewayFixture, type RunningGateway } from "./support";

// MySQL and MariaDB do not say which table a view's column comes from, so Airlock follows each view through its
// definition: a masked column renamed by a view (or a view of a view) keeps its mask, the strongest mask wins, a
// replaced view is followed as it is now. The masked values here are plain words the value detectors would not
// recognise, so only the origin can mask them.

let fx: GatewayFixture;
let gw: RunningGateway;

const DIAGNOSES = ["migraine with aura", "seasonal allergy"];

beforeAll(async () => {
  fx = await createGatewayFixture("mysql_views");
  await targetQuery(fx, "shop_mysql", "CREATE TABLE clinic (id INT PRIMARY KEY, diagnosis VARCHAR(100), ward VARCHAR(20))");
  await targetQuery(fx, "shop_mysql", "INSERT INTO clinic VALUES (1, ?, 'north'), (2, ?, 'south')", DIAGNOSES);
  await targetQuery(fx, "shop_mysql", "CREATE VIEW clinic_v AS SELECT id, diagnosis AS dx, ward FROM clinic");
  await targetQuery(fx, "shop_mysql", "CREATE VIEW clinic_vv AS SELECT dx AS finding, ward FROM clinic_v");
  const parsed = validatePolicy({
    version: 1,
    id: "clinic-masks",
    name: "Clinic masks",
    rules: [
      { id: "mask-diagnosis", name: "Diagnoses are hidden", action: { type: "mask", columns: ["clinic.diagnosis"], strategy: { kind: "redact" } } },
      // a weaker mask on the view's own column: the stronger one, from the origin, must win
      { id: "partial-dx", name: "View column partly shown", action: { type: "mask", columns: ["clinic_v.dx"], strategy: { kind: "partial", keepFirst: 3, keepLast: 0 } } },
    ],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const document = JSON.parse(JSON.stringify(parsed.policy)) as object;
  await fx.store.policy.create({
    data: { name: parsed.policy.name, description: "", priority: 30, document, revisions: { create: { version: 1, document, authorId: fx.users.policyAuthor.id, comment: "mysql views" } } },
  });
  gw = await startGateway(fx);
});

afterAll(async () => {
  await gw?.stop();
  await fx?.cleanup();
});

async function rows(sql: string): Promise<unknown[][]> {
  const answer = await query(gw.url, fx.tokens.valid, { connection: "shop_mysql", sql });
  expect(answer.status, answer.text).toBe(200);
  for (const diagnosis of DIAGNOSES) expect(answer.text).not.toContain(diagnosis);
  return answer.body.rows as unknown[][];
}

describe("a masked column through views on MySQL", () => {
  test("renamed by a view: masked, and the origin's redact beats the view rule's partial", async () => {
    expect(await rows("SELECT dx, ward FROM clinic_v ORDER BY id LIMIT 10")).toEqual([
      ["****", "north"],
      ["****", "south"],
    ]);
  });

  test("SELECT * from the view", async () => {
    expect(await rows("SELECT * FROM clinic_v LIMIT 10")).toEqual(expect.arrayContaining([[1, "****", "north"]]));
  });

  test("a view of a view, renamed twice", async () => {
    expect(await rows("SELECT finding FROM clinic_vv LIMIT 10")).toEqual([["****"], ["****"]]);
  });

  test("a column the view computes from the masked one", async () => {
    const found = await rows("SELECT upper(dx) AS shout FROM clinic_v LIMIT 10");
    for (const [value] of found) expect(String(value).toLowerCase()).not.toContain("migraine");
  });

  test("a view replaced behind Airlock's back is followed as it is now", async () => {
    await targetQuery(fx, "shop_mysql", "CREATE OR REPLACE VIEW clinic_v AS SELECT id, ward AS dx, diagnosis AS ward FROM clinic");
    expect(await rows("SELECT dx, ward FROM clinic_v ORDER BY id LIMIT 10")).toEqual([
      // dx is now the ward (only the view's own partial rule applies), ward is now the diagnosis (redacted)
      ["nor****", "****"],
      ["sou****", "****"],
    ]);
  });

  test("a view created a moment ago is followed at once", async () => {
    await targetQuery(fx, "shop_mysql", "CREATE VIEW clinic_new AS SELECT diagnosis AS d FROM clinic");
    expect(await rows("SELECT d FROM clinic_new LIMIT 10")).toEqual([["****"], ["****"]]);
  });

  test("columns not drawn from a masked one come back as they are", async () => {
    expect(await rows("SELECT ward FROM clinic ORDER BY id LIMIT 10")).toEqual([["north"], ["south"]]);
  });
});
