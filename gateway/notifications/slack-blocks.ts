import { outcomeText, type ApprovalSummary } from "../../lib/notifications/approval-message";
import { SLACK_ACTION_APPROVE, SLACK_ACTION_REJECT, escapeMrkdwn } from "../../lib/notifications/slack-interaction";

// The Slack message of an approval request (Block Kit). While the request is pending it carries Approve and Reject
// buttons whose value is the request id (lib/notifications/slack-interaction.ts acts on them); once decided, the
// same message is rewritten without buttons, saying who decided what and why. Everything shown comes from the one
// ApprovalSummary, escaped for mrkdwn (a statement or reason could otherwise inject links or mentions).

export const DECISION_BLOCK_ID = "airlock_decision";
const HEADER_MAX = 150;
const FIELD_MAX = 1000;

export interface SlackContent {
  /** The notification text (and what screen readers get). */
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const plain = (text: string) => ({ type: "plain_text", text: clip(text, HEADER_MAX), emoji: true });
const mrkdwn = (text: string) => ({ type: "mrkdwn", text });
const field = (label: string, value: string) => mrkdwn(`*${label}*\n${clip(value, FIELD_MAX)}`);

/** A Slack date that each reader sees in their own time zone, falling back to the ISO text. */
function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${iso}>`;
}

function codeBlock(statement: string): string {
  // Three backticks inside the statement would end the code block early; a zero-width space keeps them apart.
  return `\`\`\`${escapeMrkdwn(statement).replace(/```/g, "`\u200b``")}\`\`\``;
}

function detailFields(summary: ApprovalSummary): Record<string, unknown>[] {
  return [
    field("Agent", escapeMrkdwn(summary.agent.name)),
    field("Connection", escapeMrkdwn(summary.connection.name)),
    field("Agent's reason", summary.reason ? escapeMrkdwn(summary.reason) : "_none given_"),
    field("Dry run", summary.preview ? escapeMrkdwn(summary.preview) : "_no preview_"),
    field("Approvals", `${summary.approvals} of ${summary.minApprovals}`),
    field("Expires", slackDate(summary.expiresAt)),
  ];
}

function commonBlocks(summary: ApprovalSummary): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [{ type: "section", fields: detailFields(summary) }];
  if (summary.why.length > 0) {
    blocks.push({ type: "context", elements: [mrkdwn(clip(`Why: ${summary.why.map(escapeMrkdwn).join(" · ")}`, 2000))] });
  }
  blocks.push({ type: "section", text: mrkdwn(codeBlock(summary.statement)) });
  if (summary.statementTruncated) blocks.push({ type: "context", elements: [mrkdwn("The statement is cut short here; the approval page shows all of it.")] });
  return blocks;
}

const link = (summary: ApprovalSummary) => ({ type: "context", elements: [mrkdwn(`<${summary.url}|Open in Airlock>`)] });

/** The message asking for a decision (or, when the request is no longer pending, its decided form). */
export function requestBlocks(summary: ApprovalSummary, options: { reminder?: boolean; now?: Date } = {}): SlackContent {
  const now = options.now ?? new Date();
  if (summary.status !== "pending" || Date.parse(summary.expiresAt) <= now.getTime()) return decidedBlocks(summary, now);
  const title = `${options.reminder ? "Still waiting: " : "Approval needed: "}${summary.agent.name} on ${summary.connection.name}`;
  return {
    text: `${title} (${summary.url})`,
    blocks: [
      { type: "header", text: plain(title) },
      ...commonBlocks(summary),
      {
        type: "actions",
        block_id: DECISION_BLOCK_ID,
        elements: [
          { type: "button", action_id: SLACK_ACTION_APPROVE, style: "primary", text: plain("Approve"), value: summary.id },
          { type: "button", action_id: SLACK_ACTION_REJECT, style: "danger", text: plain("Reject"), value: summary.id },
        ],
      },
      link(summary),
    ],
  };
}

const HEADLINES: Record<ApprovalSummary["status"], string> = {
  pending: "Expired",
  approved: "Approved",
  consumed: "Approved and run",
  rejected: "Rejected",
  expired: "Expired",
};

/** The message once the request is decided: no buttons; who decided what, and their comments. */
export function decidedBlocks(summary: ApprovalSummary, now: Date = new Date()): SlackContent {
  const title = `${HEADLINES[summary.status]}: ${summary.agent.name} on ${summary.connection.name}`;
  const votes = summary.votes.map((vote) => {
    const verb = vote.verdict === "approve" ? "approved" : "rejected";
    const comment = vote.reason ? ` — “${escapeMrkdwn(clip(vote.reason, 500))}”` : "";
    return `• *${escapeMrkdwn(vote.user)}* ${verb}${vote.via === "slack" ? " in Slack" : ""}${comment}`;
  });
  return {
    text: `${title}: ${outcomeText(summary, now)}`,
    blocks: [
      { type: "header", text: plain(title) },
      { type: "section", text: mrkdwn(clip(`*Outcome:* ${escapeMrkdwn(outcomeText(summary, now))}${votes.length > 0 ? `\n${votes.join("\n")}` : ""}`, 3000)) },
      ...commonBlocks(summary),
      link(summary),
    ],
  };
}
