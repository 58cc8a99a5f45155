"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import type { FormState } from "@/lib/connections/schema";
import type { FormAction } from "./channel-form";

// Deleting a channel, after a confirmation: its delivery log goes with it. The action checks the permission and
// redirects to the list when it is done.

export function DeleteChannelButton({ channelId, name, remove }: { channelId: string; name: string; remove: FormAction }) {
  const [state, action, pending] = useActionState(remove, { status: "idle" } as FormState);
  return (
    <form
      action={action}
      onSubmit={(event) => {
        if (!window.confirm(`Delete the channel ${name}? Its delivery log is deleted with it.`)) event.preventDefault();
      }}
      className="space-y-2"
    >
      <input type="hidden" name="id" value={channelId} />
      <Button type="submit" variant="danger" disabled={pending}>
        {pending ? "Deleting…" : "Delete channel"}
      </Button>
      {state.status === "error" ? (
        <p role="alert" className="text-sm text-red-600">
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
