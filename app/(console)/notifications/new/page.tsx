import type { Metadata } from "next";
import Link from "next/link";
import { ChannelForm, NEW_CHANNEL } from "@/components/notifications/channel-form";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { createChannelAction } from "../actions";
import { connectionChoices } from "../queries";

export const metadata: Metadata = { title: "Add notification channel" };

export default async function NewChannelPage() {
  await requirePermission("notifications.edit");
  const connections = await connectionChoices(store());
  return (
    <div className="mx-auto max-w-3xl">
      <Link href="/notifications" className="text-sm font-medium text-brand-600 hover:text-brand-700">
        ← Notifications
      </Link>
      <div className="mt-3">
        <PageHeader title="Add notification channel" summary="A Slack channel or a webhook that hears of approval requests as they arrive, and of their outcome." />
      </div>
      <Card>
        <ChannelForm values={NEW_CHANNEL} connections={connections} save={createChannelAction} />
      </Card>
    </div>
  );
}
