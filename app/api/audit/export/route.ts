import { allChanges, parseChangeFilter } from "@/lib/audit/change-log";
import { guardRoute } from "@/lib/auth/session";
import { csvLine } from "@/lib/export/csv";
import { store } from "@/lib/store/client";

// GET /api/audit/export?format=csv|json&action=…&target=…&actor=…&from=…&to=… — the audit log (filtered like the
// page) streamed in batches, newest first. audit.view.

export const dynamic = "force-dynamic";

const HEADER = ["id", "at", "actor_email", "action", "target_type", "target_id", "details"] as const;

export async function GET(request: Request): Promise<Response> {
  const user = await guardRoute("audit.view");
  if (user instanceof Response) return user;

  const url = new URL(request.url);
  const format = url.searchParams.get("format") ?? "csv";
  if (format !== "csv" && format !== "json") return problem(`format must be csv or json, not "${format.slice(0, 20)}"`);
  const parsed = parseChangeFilter(Object.fromEntries(url.searchParams));
  if (!parsed.ok) return problem(Object.entries(parsed.problems).map(([name, message]) => `${name}: ${message}`).join("; "));

  const encoder = new TextEncoder();
  const batches = allChanges(store(), parsed.filter);
  let first = true;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(format === "csv" ? csvLine([...HEADER]) : "["));
    },
    async pull(controller) {
      const next = await batches.next();
      if (next.done) {
        if (format === "json") controller.enqueue(encoder.encode("]\n"));
        controller.close();
        return;
      }
      let chunk = "";
      for (const row of next.value) {
        if (format === "csv") {
          chunk += csvLine([row.id, row.at, row.actor?.email ?? null, row.action, row.targetType, row.targetId, JSON.stringify(row.details)]);
        } else {
          chunk += `${first ? "\n" : ",\n"}${JSON.stringify({ id: row.id, at: row.at, actor: row.actor?.email ?? null, action: row.action, targetType: row.targetType, targetId: row.targetId, details: row.details })}`;
          first = false;
        }
      }
      controller.enqueue(encoder.encode(chunk));
    },
    cancel() {
      void batches.return(undefined);
    },
  });
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="airlock-audit-${stamp}.${format}"`,
      "cache-control": "no-store",
    },
  });
}

function problem(detail: string): Response {
  return Response.json({ type: "about:blank", title: "Bad request", status: 400, detail }, { status: 400, headers: { "content-type": "application/problem+json" } });
}
