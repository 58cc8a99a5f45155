import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import type { Problem } from "./problem";

// Request bodies: a size cap enforced while reading (never buffered past it), JSON, then a zod schema.

export type BodyResult<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export async function readJsonBody<T>(request: IncomingMessage, schema: z.ZodType<T>, maxBytes: number): Promise<BodyResult<T>> {
  const type = request.headers["content-type"] ?? "";
  if (!/^application\/json\b/i.test(type)) {
    return { ok: false, problem: { status: 415, code: "unsupported_media_type", title: "Send the body as application/json" } };
  }
  const declared = Number(request.headers["content-length"] ?? NaN);
  if (declared > maxBytes) return { ok: false, problem: tooLarge(maxBytes) };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      request.destroy();
      return { ok: false, problem: tooLarge(maxBytes) };
    }
    chunks.push(chunk);
  }
  let data: unknown;
  try {
    data = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return { ok: false, problem: { status: 400, code: "malformed_json", title: "The body is not valid JSON" } };
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      problem: {
        status: 400,
        code: "invalid_request",
        title: "The request body is not valid",
        errors: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
      },
    };
  }
  return { ok: true, value: parsed.data };
}

function tooLarge(maxBytes: number): Problem {
  return { status: 413, code: "sql_too_large", title: "The request is too large", detail: `The limit is ${maxBytes} bytes` };
}
