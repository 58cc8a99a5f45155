"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import type { SaveState } from "./schemas";

// The list's per-policy buttons: enable/disable and move up/down. Each is a small form posting to its server
// action (which checks policies.edit itself); a refusal is shown beside the buttons.

type Action = (previous: SaveState, form: FormData) => Promise<SaveState>;

const idle: SaveState = { status: "idle" };

export function PolicyRowActions({ policyId, name, enabled, first, last, toggle, move }: {
  policyId: string;
  name: string;
  enabled: boolean;
  first: boolean;
  last: boolean;
  toggle: Action;
  move: Action;
}) {
  const [toggleState, toggleAction, toggling] = useActionState(toggle, idle);
  const [moveState, moveAction, moving] = useActionState(move, idle);
  const error = [toggleState, moveState].find((s) => s.status === "error")?.message;
  return (
    <div className="flex flex-wrap items-center justify-end gap-2 whitespace-nowrap">
      <form action={toggleAction}>
        <input type="hidden" name="policyId" value={policyId} />
        <input type="hidden" name="enabled" value={enabled ? "false" : "true"} />
        <Button type="submit" disabled={toggling} aria-label={`${enabled ? "Disable" : "Enable"} ${name}`}>
          {enabled ? "Disable" : "Enable"}
        </Button>
      </form>
      <form action={moveAction} className="flex gap-1">
        <input type="hidden" name="policyId" value={policyId} />
        <Button type="submit" name="direction" value="up" disabled={first || moving} aria-label={`Move ${name} up`}>
          ↑
        </Button>
        <Button type="submit" name="direction" value="down" disabled={last || moving} aria-label={`Move ${name} down`}>
          ↓
        </Button>
      </form>
      {error ? (
        <p role="alert" className="w-full text-right text-sm text-red-600">
          {error}
        </p>
      ) : null}
    </div>
  );
}
