import { describe, expect, it } from "vitest";
import { exportFileName, sessionCsv, sessionJson } from "./export";
import type { SessionExport } from "./replay";

const data: SessionExport = {
  session: { id: "0f8fad5b-d9cb-469f-a165-70867728950e", agent: "claude-demo", connection: "shop", frontDoor: "http", clientAddr: null, startedAt: "2026-11-25T22:00:00.000Z", endedAt: null, eventCount: 3 },
  chain: { verified: false, events: 3, seq: 2, reason: "hash_mismatch" },
  approvals: [],
  events: [
    { seq: 1, type: "connect", at: "2026-11-25T22:00:00.000Z", decision: null, sqlText: null, payload: {}, prevHash: "0".repeat(64), hash: "a".repeat(64) },
    { seq: 2, type: "statement", at: "2026-11-25T22:00:01.000Z", decision: null, sqlText: "SELECT email, card_number\nFROM customers", payload: { params: [] }, prevHash: "a".repeat(64), hash: "b".repeat(64) },
    { seq: 3, type: "result", at: "2026-11-25T22:00:01.010Z", decision: null, sqlText: null, payload: { statements: [{ sample: [["a***@example.com", "=1+1"]] }] }, prevHash: "b".repeat(64), hash: "c".repeat(64) },
  ],
};

describe("session exports", () => {
  it("CSV: a header and one line per event, with the chain state of each", () => {
    const csv = sessionCsv(data);
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe("session_id,agent,connection,front_door,seq,type,at,decision,sql,payload,prev_hash,hash,chain");
    expect(csv).toContain('"SELECT email, card_number\nFROM customers"');
    expect(csv).toContain("verified");
    expect(csv).toContain("broken: hash_mismatch");
    expect(csv).toContain("unverified");
    expect(csv).toContain('"{""statements"":[{""sample"":[[""a***@example.com"",""=1+1""]]}]}"');
    expect(lines.filter((line) => line.startsWith(data.session.id))).toHaveLength(3);
  });

  it("JSON: the session, the chain, the events as stored", () => {
    const parsed = JSON.parse(sessionJson(data, new Date("2026-11-25T23:00:00Z"))) as Record<string, unknown>;
    expect(parsed).toMatchObject({ format: "airlock.session.v1", exportedAt: "2026-11-25T23:00:00.000Z", session: { agent: "claude-demo" }, chain: { verified: false, seq: 2 } });
    expect(parsed.events).toEqual(data.events);
  });

  it("names files after the session", () => {
    expect(exportFileName(data.session.id, "csv")).toBe(`airlock-session-${data.session.id}.csv`);
  });
});
