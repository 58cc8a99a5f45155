import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ChannelForm, type ChannelValues } from "@/components/notifications/channel-form";
import { DeliveryCountsText } from "@/components/notifications/channel-table";
import { DeleteChannelButton } from "@/components/notifications/delete-channel-button";
import { Card } from "@/components/ui/card";
import { DetailHeader } from "@/components/ui/detail-header";
import { requirePermission } from "@/lib/auth/session";
import { CHANNEL_KIND_LABELS } from "@/lib/notifications/channel-schema";
import { store } from "@/lib/store/client";
import { deleteChannelAction, updateChannelAction } from "../actions";
import { channelSummary, connectionChoices, publicUrl } from "../queries";

export const metadata: Metadata = { title: "Notification channel" };

const SAVED: Record<string, string> = { created: "Channel created.", updated: "Changes saved." };

export default async function ChannelPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ saved?: string }> }) {
  await requirePermission("notifications.edit");
  const { id } = await params;
  const { saved } = await searchParams;
  const db = store();
  const [channel, connections] = await Promise.all([channelSummary(db, id, publicUrl()), connectionChoices(db)]);
  if (!channel) notFound();

  const values: ChannelValues = {
    id: channel.id,
    name: channel.name,
    kind: channel.kind,
    target: channel.target,
    connectionId: channel.connection?.id ?? null,
    ruleId: channel.ruleId,
    escalation: channel.escalation,
    enabled: channel.enabled,
  };

  return (
    <div className="mx-auto max-w-5xl">
      <DetailHeader
        back={{ href: "/notifications", label: "Notifications" }}
        title={channel.name}
        summary={`${CHANNEL_KIND_LABELS[channel.kind]}. Its secrets are stored encrypted and never shown; leave them empty to keep them.`}
        saved={saved && Object.hasOwn(SAVED, saved) ? SAVED[saved] : undefined}
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <Card title="Settings">
            {/* Keyed by the last change: after a save the form starts again from what is stored, secrets empty. */}
            <ChannelForm key={channel.updatedAt.toISOString()} values={values} connections={connections} save={updateChannelAction} />
          </Card>
        </div>
        <div className="space-y-6">
          {channel.interactionsUrl ? (
            <Card title="Slack app setup">
              <p className="text-sm text-slate-600">
                In the Slack app&apos;s <span className="font-medium">Interactivity &amp; Shortcuts</span>, turn Interactivity on and set the Request URL to:
              </p>
              <code data-testid="interactions-url" className="mt-2 block rounded-lg bg-slate-50 px-3 py-2 font-mono text-xs break-all text-slate-800">
                {channel.interactionsUrl}
              </code>
              <p className="mt-2 text-xs text-slate-500">Slack must be able to reach this address: set AIRLOCK_PUBLIC_URL to the dashboard&apos;s public URL.</p>
            </Card>
          ) : null}
          <Card title="Deliveries">
            <DeliveryCountsText counts={channel.deliveries} />
            <Link href={`/notifications?channel=${channel.id}#deliveries`} className="mt-2 block text-sm font-medium text-brand-600 hover:text-brand-700">
              Show its delivery log
            </Link>
          </Card>
          <Card title="Delete">
            <p className="mb-3 text-sm text-slate-600">Stops all notices to this channel and deletes its delivery log. To pause it instead, untick Enabled.</p>
            <DeleteChannelButton channelId={channel.id} name={channel.name} remove={deleteChannelAction} />
          </Card>
        </div>
      </div>
    </div>
  );
}
