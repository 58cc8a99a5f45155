import { Notice } from "@/components/console/notice";

export default function Forbidden() {
  return (
    <main className="px-6">
      <Notice code="403" title="You don't have access to this page">
        Your roles don&apos;t include it. If you need it, ask an Airlock admin to add the role to your account.
      </Notice>
    </main>
  );
}
