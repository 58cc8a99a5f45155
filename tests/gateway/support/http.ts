// Small HTTP helpers for the gateway's REST API.

export interface HttpAnswer<T = any> {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body (null when it is not JSON). */
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
export async function request<T = any>(
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
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

/** POST /v1/query. */
export function query<T = any>(baseUrl: string, token: string | null, body: QueryBody | Record<string, unknown>, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
  return request<T>(`${baseUrl}/v1/query`, { method: "POST", token, body, headers });
}

/** GET /v1/approvals/:id?wait=N. */
export function getApproval<T = any>(baseUrl: string, token: string | null, id: string, wait = 0): Promise<HttpAnswer<T>> {
  return request<T>(`${baseUrl}/v1/approvals/${encodeURIComponent(id)}?wait=${wait}`, { token });
}
