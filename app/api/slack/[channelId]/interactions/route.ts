import { readConfig } from "@/lib/config/env";
import { masterKey, MasterKeyMissing } from "@/lib/connections/master-key";
import { handleSlackInteraction } from "@/lib/notifications/slack-interaction";
import { store } from "@/lib/store/client";
import { readTextBody } from "@/lib/web/body";

// POST /api/slack/:channelId/interactions — the Slack app's Interactivity Request URL for one notification
// channel: button clicks on approval messages and the reject-reason form. No sign-in: the request proves itself
// with the channel's Slack signing secret (checked, with replay and staleness, by handleSlackInteraction), and the
// Slack user must be linked to an Airlock person who may decide the request.

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Slack's interaction payloads are a few kilobytes; anything far larger is not Slack. */
const MAX_BODY_BYTES = 1024 * 1024;

export async function POST(request: Request, { params }: { params: Promise<{ channelId: string }> }): Promise<Response> {
  const { channelId } = await params;
  const body = await readTextBody(request, MAX_BODY_BYTES);
  if (!body.ok) return problem(413, "The request body is too large.");
  const rawBody = body.text;
  let key: Uint8Array;
  try {
    key = masterKey();
  } catch (error) {
    if (error instanceof MasterKeyMissing) return problem(500, error.message);
    throw error;
  }
  const config = readConfig();
  const result = await handleSlackInteraction(store(), key, channelId, {
    rawBody,
    headers: request.headers,
    now: new Date(),
    slackApiUrl: config.ok ? config.config.AIRLOCK_SLACK_API_URL : process.env.AIRLOCK_SLACK_API_URL,
    publicUrl: config.ok ? config.config.publicUrl : undefined,
  });
  const headers = { "cache-control": "no-store", "content-type": result.status >= 400 ? "application/problem+json" : "application/json" };
  return new Response(JSON.stringify(result.body), { status: result.status, headers });
}

function problem(status: number, detail: string): Response {
  return Response.json({ type: "about:blank", title: status === 413 ? "Payload too large" : "Internal error", status, detail }, { status, headers: { "content-type": "application/problem+json" } });
}
