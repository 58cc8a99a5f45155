import Link from "next/link";
import { absoluteTime } from "@/components/approvals/relative-time";
import { Badge, type Tone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Select } from "@/components/ui/field";
import { Table, Td, Th } from "@/components/ui/table";
import type { DeliveryRow } from "@/lib/notifications/channels";

// The delivery log: each announcement of a request on a channel, newest first, with how it went. The filter is a
// plain GET form, so the URL (`?channel=<id>`) carries it and works without JavaScript.

const STATUS_TONES: Record<DeliveryRow["status"], Tone> = { delivered: "good", failed: "bad", pending: "warn" };

const EVENT_LABELS: Record<string, string> = { requested: "requested", reminder: "reminder", decided: "decided" };

export function DeliveryFilter({ channels, selected }: { channels: readonly { id: string; name: string }[]; selected: string | null }) {
  return (
    <form method="get" action="/notifications#deliveries" className="flex flex-wrap items-end gap-3" aria-label="Filter the delivery log">
      <div>
        <label htmlFor="channel" className="block text-sm font-medium text-slate-700">
          Channel
        </label>
        <Select id="channel" name="channel" defaultValue={selected ?? ""} className="mt-1.5 w-64">
          <option value="">Every channel</option>
          {channels.map((channel) => (
            <option key={channel.id} value={channel.id}>
              {channel.name}
            </option>
          ))}
        </Select>
      </div>
      <Button type="submit">Filter</Button>
      {selected ? (
        <Link href="/notifications#deliveries" className="py-2 text-sm font-medium text-brand-600 hover:text-brand-700">
          Show every channel
        </Link>
      ) : null}
    </form>
  );
}

export function DeliveryLog({ deliveries, filtered }: { deliveries: readonly DeliveryRow[]; filtered: boolean }) {
  if (deliveries.length === 0) {
    return (
      <EmptyState title={filtered ? "Nothing sent to this channel yet" : "Nothing sent yet"}>
        Deliveries appear here when an approval request is announced, reminded or decided.
      </EmptyState>
    );
  }
  return (
    <Table caption="Deliveries, newest first">
      <thead>
        <tr>
          <Th>Time</Th>
          <Th>Channel</Th>
          <Th>Event</Th>
          <Th>Request</Th>
          <Th>Status</Th>
          <Th>Attempts</Th>
          <Th>Response</Th>
          <Th>Last error</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {deliveries.map((delivery) => (
          <tr key={delivery.id} data-delivery={delivery.id}>
            <Td className="font-mono text-xs whitespace-nowrap">
              <time dateTime={delivery.createdAt.toISOString()}>{absoluteTime(delivery.createdAt)}</time>
            </Td>
            <Td>{delivery.channel.name}</Td>
            <Td>{EVENT_LABELS[delivery.event] ?? delivery.event}</Td>
            <Td className="whitespace-nowrap">
              <Link href={`/approvals/${delivery.request.id}`} className="font-mono text-xs font-medium text-brand-600 hover:text-brand-700" title={delivery.request.id}>
                {delivery.request.id.slice(0, 8)}
              </Link>
              <span className="block text-xs text-slate-500">{delivery.request.status}</span>
            </Td>
            <Td className="whitespace-nowrap">
              <Badge tone={STATUS_TONES[delivery.status]}>{delivery.status}</Badge>
              {delivery.status === "pending" && delivery.attempts > 0 ? (
                <span className="block text-xs text-slate-500">next try {absoluteTime(delivery.nextAttemptAt).slice(11)}</span>
              ) : null}
            </Td>
            <Td className="tabular-nums">{delivery.attempts}</Td>
            <Td className="font-mono text-xs">{delivery.responseStatus ?? <span className="text-slate-400">—</span>}</Td>
            <Td className="max-w-xs text-xs">
              {delivery.lastError ? (
                <span className="line-clamp-2 break-words text-red-700" title={delivery.lastError}>
                  {delivery.lastError}
                </span>
              ) : (
                <span className="text-slate-400">—</span>
              )}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
