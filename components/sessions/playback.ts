// The replay's clock, pure: how long to show an event before the next one at a given speed, and which events
// belong to the statement being shown.

export const SPEEDS = [0.5, 1, 2, 4, 8] as const;
export type Speed = (typeof SPEEDS)[number];

/** Real gaps between events, scaled by the speed, but never under 0.25 s nor over 1.5 s at 1×. */
export function stepDelayMs(fromOffsetMs: number, toOffsetMs: number, speed: number): number {
  const gap = Math.min(1500, Math.max(250, toOffsetMs - fromOffsetMs));
  return gap / speed;
}

/** Index of the first event of the step that holds `index`: a statement starts a step and its decision, approvals and result follow it. */
export function stepStart(types: readonly string[], index: number): number {
  for (let i = Math.min(index, types.length - 1); i > 0; i--) {
    if (types[i] === "statement") return i;
  }
  return 0;
}
