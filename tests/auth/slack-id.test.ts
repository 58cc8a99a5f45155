import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { saveSlackUserId } from "@/app/(console)/people/slack-id";
import { slackIdFromForm, slackIdSchema } from "@/app/(console)/people/slack-id-schema";
import { makeUser, migratedScratch, type ApprovalTestDb } from "../approvals/fixtures";

// An admin sets or clears a person's Slack member id on the people page: validated by the shared schema, unique
// (a duplicate is a field error, not a crash, even when two saves race), and every change is in the audit log.

let t: ApprovalTestDb;
let admin: string;
beforeAll(async () => {
  t = await migratedScratch("slack_id");
  admin = (await makeUser(t.store, ["admin"])).id;
});
afterAll(async () => t?.close());

function input(userId: string, slackUserId: string) {
  const form = new FormData();
  form.set("userId", userId);
  form.set("slackUserId", slackUserId);
  return slackIdSchema.parse(slackIdFromForm(form));
}

async function entries(userId: string) {
  return t.store.auditLog.findMany({ where: { action: "user.update", targetId: userId }, orderBy: { at: "asc" }, select: { actorId: true, details: true } });
}

describe("Slack member id", () => {
  test("the schema trims, upper-cases, clears on empty and refuses what is not a member id", () => {
    const id = "7d3c5a4e-8f1b-4c2d-9e0a-1b2c3d4e5f60";
    expect(input(id, "  u012ab3cd ").slackUserId).toBe("U012AB3CD");
    expect(input(id, "W0ABC").slackUserId).toBe("W0ABC");
    expect(input(id, "").slackUserId).toBeNull();
    for (const bad of ["C012AB3CD", "U1", "U01-2", "@ada", "U".padEnd(40, "A")]) {
      const result = slackIdSchema.safeParse({ userId: id, slackUserId: bad });
      expect(result.success, bad).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(["slackUserId"]);
    }
  });

  test("set, change and clear are saved and audited with what changed", async () => {
    const person = await makeUser(t.store, ["approver"]);
    expect(await saveSlackUserId(t.store, admin, input(person.id, "U0ADA1"))).toMatchObject({ status: "done" });
    expect((await t.store.user.findUniqueOrThrow({ where: { id: person.id } })).slackUserId).toBe("U0ADA1");
    expect(await saveSlackUserId(t.store, admin, input(person.id, "U0ADA2"))).toMatchObject({ status: "done" });
    expect(await saveSlackUserId(t.store, admin, input(person.id, ""))).toMatchObject({ status: "done" });
    expect((await t.store.user.findUniqueOrThrow({ where: { id: person.id } })).slackUserId).toBeNull();

    expect(await entries(person.id)).toEqual([
      { actorId: admin, details: { email: person.email, slackUserId: { from: null, to: "U0ADA1" } } },
      { actorId: admin, details: { email: person.email, slackUserId: { from: "U0ADA1", to: "U0ADA2" } } },
      { actorId: admin, details: { email: person.email, slackUserId: { from: "U0ADA2", to: null } } },
    ]);
  });

  test("saving the same id again changes nothing and writes no audit entry", async () => {
    const person = await makeUser(t.store, ["approver"]);
    await saveSlackUserId(t.store, admin, input(person.id, "U0SAME"));
    expect(await saveSlackUserId(t.store, admin, input(person.id, "u0same"))).toEqual({ status: "done", message: "Nothing to change." });
    expect(await entries(person.id)).toHaveLength(1);
  });

  test("another person's id is a field error naming who has it, and nothing changes", async () => {
    const [ada, bob] = [await makeUser(t.store, ["approver"]), await makeUser(t.store, ["approver"])];
    await saveSlackUserId(t.store, admin, input(ada.id, "U0TAKEN"));
    expect(await saveSlackUserId(t.store, admin, input(bob.id, "U0TAKEN"))).toEqual({
      status: "error",
      fieldErrors: { slackUserId: `${ada.email} already has this Slack member id` },
    });
    expect((await t.store.user.findUniqueOrThrow({ where: { id: bob.id } })).slackUserId).toBeNull();
    expect(await entries(bob.id)).toHaveLength(0);
  });

  test("two saves racing for one id: one wins, the other gets a field error", async () => {
    const people = await Promise.all([makeUser(t.store, ["approver"]), makeUser(t.store, ["approver"]), makeUser(t.store, ["approver"])]);
    const results = await Promise.all(people.map((person) => saveSlackUserId(t.store, admin, input(person.id, "U0RACE"))));
    expect(results.filter((result) => result.status === "done")).toHaveLength(1);
    for (const result of results.filter((result) => result.status === "error")) expect(result.fieldErrors?.slackUserId).toMatch(/already has this Slack member id/);
    expect(await t.store.user.count({ where: { slackUserId: "U0RACE" } })).toBe(1);
  });

  test("an unknown person is an error to act on", async () => {
    expect(await saveSlackUserId(t.store, admin, input("7d3c5a4e-8f1b-4c2d-9e0a-1b2c3d4e5f60", "U0NOBODY"))).toEqual({ status: "error", message: "This person does not exist (any more)." });
  });
});
