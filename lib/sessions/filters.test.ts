import { describe, expect, it } from "vitest";
import { parseTableQuery, parseUtcTime, tableSearch } from "./filters";

const agent = "0f8fad5b-d9cb-469f-a165-70867728950e";
const connection = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

describe("sessions table URL state", () => {
  it("reads every filter, the order and a cursor, and writes them back the same", () => {
    const search = `?agent=${agent}&connection=${connection}&door=pgwire&decision=block&from=2026-11-25T20:00&to=2026-11-25T23:30:15&q=customers&order=oldest&after=2026-11-25T22:35:01.042Z_17`;
    const { query, problems } = parseTableQuery(Object.fromEntries(new URLSearchParams(search)));
    expect(problems).toEqual({});
    expect(query).toEqual({
      filters: {
        agentId: agent,
        connectionId: connection,
        frontDoor: "pgwire",
        decision: "block",
        from: new Date("2026-11-25T20:00:00Z"),
        to: new Date("2026-11-25T23:30:15Z"),
        text: "customers",
      },
      order: "oldest",
      after: { at: new Date("2026-11-25T22:35:01.042Z"), id: "17" },
    });
    expect(decodeURIComponent(tableSearch(query))).toBe(search);
  });

  it("an empty URL is the first page, newest first, unfiltered", () => {
    const { query, problems } = parseTableQuery({});
    expect(query).toEqual({ filters: {}, order: "newest" });
    expect(problems).toEqual({});
    expect(tableSearch(query)).toBe("");
  });

  it("drops what does not parse and says why, per field", () => {
    const { query, problems } = parseTableQuery({
      agent: "'; DROP TABLE x --",
      connection: "nope",
      door: "telnet",
      decision: "maybe",
      from: "yesterday",
      q: "x".repeat(201),
      after: "garbage",
    });
    expect(query).toEqual({ filters: {}, order: "newest" });
    expect(Object.keys(problems).sort()).toEqual(["agent", "connection", "decision", "door", "from", "q"]);
  });

  it("refuses a range that ends before it starts", () => {
    const { query, problems } = parseTableQuery({ from: "2026-11-25T20:00", to: "2026-11-25T19:00" });
    expect(query.filters).toEqual({ from: new Date("2026-11-25T20:00:00Z") });
    expect(problems.to).toMatch(/after/);
  });

  it("takes the first of repeated parameters, trims, and ignores blanks", () => {
    const { query } = parseTableQuery({ q: ["  orders ", "x"], agent: "", decision: "  " });
    expect(query.filters).toEqual({ text: "orders" });
  });

  it("prefers `after` when both cursors are given", () => {
    const { query } = parseTableQuery({ after: "2026-11-25T22:35:01.042Z_2", before: "2026-11-25T22:35:01.042Z_1" });
    expect(query.after?.id).toBe("2");
    expect(query.before).toBeUndefined();
  });

  it("reads datetime-local values as UTC and rejects impossible dates", () => {
    expect(parseUtcTime("2026-02-28T10:00")?.toISOString()).toBe("2026-02-28T10:00:00.000Z");
    expect(parseUtcTime("2026-02-30T10:00")).toBeNull();
    expect(parseUtcTime("2026-02-28 10:00")).toBeNull();
  });
});
