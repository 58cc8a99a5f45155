import { absoluteTime, relativeTime } from "./relative-time";

/** "3 min ago", with the exact time on hover. */
export function When({ at, now }: { at: string; now: string }) {
  return (
    <time dateTime={at} title={absoluteTime(at)}>
      {relativeTime(at, now)}
    </time>
  );
}
