import type { Metadata } from "next";
import { absoluteTime } from "@/components/approvals/relative-time";
import { NewPersonForm } from "@/components/people/new-person-form";
import { PersonForm } from "@/components/people/person-form";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { section } from "../sections";
import { createPersonAction, setSlackIdAction, updatePersonAction } from "./actions";
import { SlackIdForm } from "./slack-id-form";

export const metadata: Metadata = { title: "People" };

export default async function PeoplePage() {
  await requirePermission("users.manage");
  const { label, summary } = section("/people");
  const people = await store().user.findMany({
    select: { id: true, email: true, name: true, roles: true, disabled: true, oidcSubject: true, lastLoginAt: true, slackUserId: true },
    orderBy: { email: "asc" },
  });

  return (
    <div className="mx-auto max-w-6xl space-y-6">
      <PageHeader title={label} summary={summary} />
      <Table caption="People who can sign in to Airlock">
        <thead>
          <tr>
            <Th>Person</Th>
            <Th>Signs in with</Th>
            <Th>Last sign-in</Th>
            <Th>Roles and access</Th>
            <Th>Slack member id</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {people.map((person) => (
            <tr key={person.id}>
              <Td>
                <p className="font-medium text-slate-900">{person.name}</p>
                <p className="text-xs text-slate-500">{person.email}</p>
              </Td>
              <Td>{person.oidcSubject ? <Badge tone="info">identity provider</Badge> : <Badge>password</Badge>}</Td>
              <Td className="whitespace-nowrap text-xs">{person.lastLoginAt ? absoluteTime(person.lastLoginAt) : "never"}</Td>
              <Td>
                <PersonForm person={person} update={updatePersonAction} />
              </Td>
              <Td>
                <SlackIdForm person={person} save={setSlackIdAction} />
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
      <p className="text-xs text-slate-500">
        Roles of people who sign in through the identity provider follow their groups there at each sign-in. A Slack member id (Slack: profile → ⋯ →
        Copy member ID) lets that Slack user approve or reject from an approval message as this person; leave it empty to clear it.
      </p>
      <Card title="Add a person">
        <NewPersonForm create={createPersonAction} />
      </Card>
    </div>
  );
}
