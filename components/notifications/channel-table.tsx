import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import type { ChannelRow } from "@/lib/notifications/channels";
import { CHANNEL_KIND_LABELS } from "@/lib/notifications/channel-schema";

// The notification channels: where each sends, which requests it takes, and how its deliveries went. Never a
// secret: the rows come from a select without them. Slack channels show the Interactivity Request URL their Slack
// app needs.

/** How many deliveries of a channel ended each way (pending: not delivered yet, retrying or waiting). */
export interface DeliveryCounts {
  readonly delivered: number;
  readonly failed: number;
  readonly pending: number;
}

export interface ChannelSummary extends ChannelRow {
  readonly deliveries: DeliveryCounts;
  /** Slack channels: `${publicUrl}/api/slack/<id>/interactions`. */
  readonly interactionsUrl: string | null;
}

export function ChannelTable({ channels, editable }: { channels: readonly ChannelSummary[]; editable: boolean }) {
  return (
    <Table caption="Notification channels">
      <thead>
        <tr>
          <Th>Name</Th>
          <Th>Kind</Th>
          <Th>Target</Th>
          <Th>Requests</Th>
          <Th>Sends</Th>
          <Th>State</Th>
          <Th>Deliveries</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {channels.map((channel) => (
          <tr key={channel.id} data-channel={channel.name}>
            <Td className="whitespace-nowrap">
              {editable ? (
                <Link href={`/notifications/${channel.id}`} className="font-medium text-brand-600 hover:text-brand-700">
                  {channel.name}
                </Link>
              ) : (
                <span className="font-medium text-slate-900">{channel.name}</span>
              )}
            </Td>
            <Td className="whitespace-nowrap">{CHANNEL_KIND_LABELS[channel.kind]}</Td>
            <Td className="min-w-72">
              <span className="font-mono text-xs break-all">{channel.target}</span>
              {channel.interactionsUrl ? <InteractionsUrl url={channel.interactionsUrl} /> : null}
            </Td>
            <Td>
              <Scope channel={channel} />
            </Td>
            <Td>{channel.escalation ? <Badge tone="warn">reminders only</Badge> : <span className="text-slate-500">new requests, outcomes</span>}</Td>
            <Td>{channel.enabled ? <Badge tone="good">enabled</Badge> : <Badge>disabled</Badge>}</Td>
            <Td className="whitespace-nowrap">
              <DeliveryCountsText counts={channel.deliveries} />
              <Link href={`/notifications?channel=${channel.id}#deliveries`} className="block text-xs font-medium text-brand-600 hover:text-brand-700">
                Show log
              </Link>
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/** Which approval requests the channel takes: every connection's or one's, any rule's or one rule's. */
export function Scope({ channel }: { channel: Pick<ChannelRow, "connection" | "ruleId"> }) {
  return (
    <span className="text-sm">
      {channel.connection ? (
        <>
          connection{" "}
          <Link href={`/connections/${channel.connection.id}`} className="font-medium text-brand-600 hover:text-brand-700">
            {channel.connection.name}
          </Link>
        </>
      ) : (
        "every connection"
      )}
      {channel.ruleId ? (
        <span className="block text-xs text-slate-500">
          rule <code className="font-mono">{channel.ruleId}</code> only
        </span>
      ) : null}
    </span>
  );
}

export function DeliveryCountsText({ counts }: { counts: DeliveryCounts }) {
  return (
    <span className="text-sm tabular-nums">
      <span className="text-emerald-700">{counts.delivered} delivered</span>
      {" · "}
      <span className={counts.failed > 0 ? "text-red-700" : "text-slate-500"}>{counts.failed} failed</span>
      {" · "}
      <span className={counts.pending > 0 ? "text-amber-700" : "text-slate-500"}>{counts.pending} pending</span>
    </span>
  );
}

export function InteractionsUrl({ url }: { url: string }) {
  return (
    <span className="mt-1 block text-xs text-slate-500">
      Interactivity Request URL: <code className="font-mono break-all text-slate-700">{url}</code>
    </span>
  );
}
