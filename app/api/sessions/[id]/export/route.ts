import { recordChange } from "@/lib/audit/changes";
import { guardRoute } from "@/lib/auth/session";
import { exportFileName, sessionCsv, sessionJson, type ExportFormat } from "@/lib/sessions/export";
import { isSessionId, sessionExport } from "@/lib/sessions/replay";
import { store } from "@/lib/store/client";

// GET /api/sessions/:id/export?format=json|csv — a recorded session as a file (masked values only, as stored).
// Needs sessions.export; every export is written to the audit log before the file is sent.

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const user = await guardRoute("sessions.export");
  if (user instanceof Response) return user;
  const { id } = await params;
  const format = new URL(request.url).searchParams.get("format") ?? "json";
  if (format !== "json" && format !== "csv") return problem(400, "Unknown format", "Ask for format=json or format=csv.");
  if (!isSessionId(id)) return problem(404, "No such session", "There is no recorded session with this id.");
  const db = store();
  const data = await sessionExport(db, id);
  if (!data) return problem(404, "No such session", "There is no recorded session with this id.");
  await db.$transaction((tx) =>
    recordChange(tx, {
      actorId: user.id,
      action: "session.export",
      targetType: "session",
      targetId: id,
      details: { format, events: data.events.length, chainVerified: data.chain.verified },
    }),
  );
  const body = format === "csv" ? sessionCsv(data) : sessionJson(data, new Date());
  return new Response(body, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${exportFileName(id, format as ExportFormat)}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

function problem(status: number, title: string, detail: string): Response {
  return Response.json({ type: "about:blank", title, status, detail }, { status, headers: { "content-type": "application/problem+json", "cache-control": "no-store" } });
}
