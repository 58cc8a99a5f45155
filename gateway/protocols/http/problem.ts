import type { ServerResponse } from "node:http";

// HTTP answers: JSON (or text) bodies, and RFC 9457 problem details for every failure.

export interface Problem {
  readonly status: number;
  /** Stable, machine-readable: "blocked", "unknown_token", "sql_too_large", ... */
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  readonly [extension: string]: unknown;
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, jsonReplacer);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers });
  response.end(text);
}

/** A text body (CSV, the compact table) with its media type. */
export function sendText(response: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": contentType, "cache-control": "no-store", ...headers });
  response.end(body);
}

export function sendProblem(response: ServerResponse, problem: Problem, headers: Record<string, string> = {}): void {
  const body = { type: `https://airlock.dev/problems/${problem.code}`, ...problem };
  response.writeHead(problem.status, { "content-type": "application/problem+json; charset=utf-8", "cache-control": "no-store", ...headers });
  response.end(JSON.stringify(body, jsonReplacer));
}

/** Result values as JSON: bigint as a string, bytes as base64 (`\x…` would be ambiguous), dates as ISO. */
export function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return { base64: Buffer.from(value).toString("base64") };
  if (value && typeof value === "object" && (value as { type?: string }).type === "Buffer" && Array.isArray((value as { data?: unknown }).data)) {
    return { base64: Buffer.from((value as { data: number[] }).data).toString("base64") };
  }
  return value;
}
