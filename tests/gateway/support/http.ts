// Small HTTP helpers for the gateway's REST API.

/**
 * A gateway JSON body, by the fields the tests read: problem+json (RFC 9457 plus the gateway's extensions), a
 * statement's result, a pending approval, the connection list. One answer holds only the fields of its kind; a
 * test reads those its status promises, and one that is missing fails that test's assertion.
 */
export interface GatewayBody {
  // Problems.
  readonly type: string;
  /** A problem's HTTP status, or "pending" in a 202's body. */
  readonly status: number | string;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  /** invalid_request: what was wrong, and where in the request body. */
  readonly errors: { path: string; message: string }[];
  /** target_error: the target database's SQLSTATE. */
  readonly sqlState: string;
  /** blocked: the decision's code; approval_rejected: the reviewer's reason. */
  readonly reason: string;
  readonly policy: string;
  readonly rule: string;
  // Results (of the last statement).
  readonly command: string;
  readonly columns: { name: string; type: string }[];
  readonly rows: unknown[][];
  readonly rowCount: number;
  readonly truncated: boolean;
  readonly masked: { column: string; strategy: string; source: string; via: string; rule: string }[];
  /** A text of several statements: each statement's result, in order. */
  readonly results?: { command: string; columns: { name: string; type: string }[]; rows: unknown[][]; rowCount: number; truncated: boolean }[];
  readonly hints: string[];
  readonly sessionId: string;
  readonly eventId: string;
  // A pending, rejected or expired approval.
  readonly approval: { id: string; status: string; expiresAt: string; url: string; message?: string };
  readonly poll: string;
  // GET /v1/connections.
  readonly connections: { name: string; engine: string; description: string; readOnly: boolean }[];
}

export interface HttpAnswer<T = GatewayBody> {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body, taken to be a `T` (null when it is not JSON). */
  readonly body: T;
  /** The raw body text, for scanning. */
  readonly text: string;
}

export interface QueryBody {
  readonly connection: string;
  readonly sql: string;
  readonly params?: readonly (string | number | boolean | null)[];
  readonly wait?: number;
}

/** A request with an optional bearer token; `body` is sent as JSON unless it is already a string. */
export async function request<T = GatewayBody>(
  url: string,
  init: { method?: string; token?: string | null; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let payload: string | undefined;
  if (init.body !== undefined) {
    payload = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(url, { method: init.method ?? (payload === undefined ? "GET" : "POST"), headers, body: payload, signal: init.signal });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

/** POST /v1/query. */
export function query<T = GatewayBody>(baseUrl: string, token: string | null, body: QueryBody | Record<string, unknown>, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
  return request<T>(`${baseUrl}/v1/query`, { method: "POST", token, body, headers });
}

/** GET /v1/approvals/:id?wait=N. */
export function getApproval<T = GatewayBody>(baseUrl: string, token: string | null, id: string, wait = 0): Promise<HttpAnswer<T>> {
  return request<T>(`${baseUrl}/v1/approvals/${encodeURIComponent(id)}?wait=${wait}`, { token });
}
