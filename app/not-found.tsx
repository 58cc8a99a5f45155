import { Notice } from "@/components/console/notice";

export default function NotFound() {
  return (
    <main className="px-6">
      <Notice code="404" title="Page not found">
        There is nothing at this address. It may have moved, or the link may be mistyped.
      </Notice>
    </main>
  );
}
