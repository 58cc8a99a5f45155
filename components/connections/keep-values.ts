"use client";

import { startTransition, type FormEvent } from "react";

// React resets a form after an action given through its `action` prop finishes, which would wipe what someone
// typed whenever a save is refused or a test runs. Forms that must keep their values submit through this
// instead: it builds the FormData (with the button that was pressed) and dispatches the chosen action itself.

export function submitKeepingValues(pick: (submitter: HTMLElement | null) => (data: FormData) => void) {
  return (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const data = new FormData(event.currentTarget, submitter);
    const dispatch = pick(submitter);
    startTransition(() => dispatch(data));
  };
}
