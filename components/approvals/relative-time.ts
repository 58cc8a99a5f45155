// "in 14 min", "3 min ago", "just now": how far `date` is from `now`, for people scanning a queue.

const UNITS: readonly [limitSeconds: number, seconds: number, label: string][] = [
  [3600, 60, "min"],
  [86_400, 3600, "h"],
  [Infinity, 86_400, "d"],
];

export function relativeTime(date: Date | string, now: Date | string): string {
  const seconds = (new Date(date).getTime() - new Date(now).getTime()) / 1000;
  const abs = Math.abs(seconds);
  if (abs < 45) return seconds >= 0 ? "in under a minute" : "just now";
  const [, unitSeconds, label] = UNITS.find(([limit]) => abs < limit)!;
  const count = Math.max(1, Math.round(abs / unitSeconds));
  const amount = label === "d" ? `${count} ${count === 1 ? "day" : "days"}` : `${count} ${label}`;
  return seconds >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** A fixed, unambiguous timestamp for tooltips and history rows: "2025-03-14 09:26:53 UTC". */
export function absoluteTime(date: Date | string): string {
  return new Date(date).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}
