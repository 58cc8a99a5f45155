// Where a change's target can be looked at, when it has a page of its own.

const PAGES: Partial<Record<string, (id: string) => string>> = {
  approval: (id) => `/approvals/${id}`,
  notification_channel: (id) => `/notifications/${id}`,
};

export function targetHref(targetType: string, targetId: string | null): string | null {
  const page = PAGES[targetType];
  return page && targetId ? page(targetId) : null;
}
