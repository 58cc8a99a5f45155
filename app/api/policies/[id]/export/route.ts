import { guardRoute } from "@/lib/auth/session";
import { exportPolicy, validatePolicy } from "@/lib/policy/document";
import { store } from "@/lib/store/client";

// GET /api/policies/:id/export?format=yaml|json → the policy's document as a download (policies.view). A stored
// document that no longer validates is exported as stored (JSON), so it can be fixed and imported again.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const user = await guardRoute("policies.view");
  if (user instanceof Response) return user;
  const { id } = await params;
  const format = new URL(request.url).searchParams.get("format") === "json" ? "json" : "yaml";
  const row = UUID.test(id) ? await store().policy.findUnique({ where: { id }, select: { document: true, version: true } }) : null;
  if (!row) return Response.json({ type: "about:blank", title: "Not found", status: 404, detail: "No such policy." }, { status: 404, headers: { "content-type": "application/problem+json" } });
  const parsed = validatePolicy(row.document);
  const body = parsed.ok ? exportPolicy(parsed.policy, format) : JSON.stringify(row.document, null, 2) + "\n";
  const slug = (parsed.ok ? parsed.policy.id : "policy").replace(/[^a-z0-9_.-]/gi, "_");
  const ext = parsed.ok && format === "yaml" ? "yaml" : "json";
  return new Response(body, {
    headers: {
      "content-type": ext === "yaml" ? "application/yaml; charset=utf-8" : "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${slug}-v${row.version}.${ext}"`,
      "cache-control": "no-store",
    },
  });
}
