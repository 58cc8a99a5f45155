import Link from "next/link";
import type { ReactNode } from "react";
import { Alert } from "./alert";
import { buttonClass } from "./button";
import { PageHeader } from "./page-header";

/** The top of a detail page: the way back to its list, its title, an edit link for those who may, and the
 *  confirmation of what was just saved. */
export function DetailHeader({ back, title, summary, edit, saved }: { back: { href: string; label: string }; title: string; summary: ReactNode; edit?: { href: string; label: string } | null; saved?: string }) {
  return (
    <>
      <Link href={back.href} className="text-sm font-medium text-brand-600 hover:text-brand-700">
        ← {back.label}
      </Link>
      <div className="mt-3">
        <PageHeader
          title={title}
          summary={summary}
          actions={
            edit ? (
              <Link href={edit.href} className={buttonClass("secondary")}>
                {edit.label}
              </Link>
            ) : null
          }
        />
      </div>
      {saved ? (
        <div className="mb-6">
          <Alert tone="success">{saved}</Alert>
        </div>
      ) : null}
    </>
  );
}
