// Liveness for the launcher: the web server is up and routing. No auth, no store access.
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
