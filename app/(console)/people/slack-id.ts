import { recordChange } from "@/lib/audit/changes";
import type { Store } from "@/lib/store/client";
import { Prisma } from "@/lib/store/generated/client";
import type { SlackIdInput, SlackIdState } from "./slack-id-schema";

// Setting or clearing a person's Slack member id, with its audit entry in the same transaction. A member id
// belongs to one person at most (the column is unique): another person's id is a field error, also when two
// admins race for it (the unique violation is caught). Callers check users.manage first.

export async function saveSlackUserId(db: Store, actorId: string, input: SlackIdInput): Promise<SlackIdState> {
  try {
    return await db.$transaction(async (tx): Promise<SlackIdState> => {
      const before = await tx.user.findUnique({ where: { id: input.userId }, select: { email: true, slackUserId: true } });
      if (!before) return { status: "error", message: "This person does not exist (any more)." };
      if (before.slackUserId === input.slackUserId) return { status: "done", message: "Nothing to change." };
      if (input.slackUserId !== null) {
        const holder = await tx.user.findUnique({ where: { slackUserId: input.slackUserId }, select: { email: true } });
        if (holder) return taken(holder.email);
      }
      await tx.user.update({ where: { id: input.userId }, data: { slackUserId: input.slackUserId }, select: { id: true } });
      await recordChange(tx, {
        actorId,
        action: "user.update",
        targetType: "user",
        targetId: input.userId,
        details: { email: before.email, slackUserId: { from: before.slackUserId, to: input.slackUserId } },
      });
      return {
        status: "done",
        message: input.slackUserId ? `Saved: Slack member ${input.slackUserId} now decides as ${before.email}.` : "Cleared: no Slack member decides as this person.",
      };
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return taken(null);
    throw error;
  }
}

function taken(email: string | null): SlackIdState {
  return { status: "error", fieldErrors: { slackUserId: email ? `${email} already has this Slack member id` : "Someone else already has this Slack member id" } };
}
