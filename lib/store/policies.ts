import { defaultPolicy } from "../policy/defaults";
import { validatePolicy, type PolicyDocumentError } from "../policy/document";
import type { Policy } from "../policy/model";
import type { Store } from "./client";

// The policies in force, read one way by the gateway and the simulator: enabled ones, by priority then name;
// a stored document that no longer validates is skipped (and reported); with none valid, the built-in defaults
// apply rather than nothing.

export interface InForceOptions {
  /** Told about each stored policy that does not validate. */
  readonly onInvalid?: (name: string, errors: readonly PolicyDocumentError[]) => void;
  /** Replaces the stored policy with this id (or is added when none has it), as if enabled. */
  readonly replace?: { readonly policyId?: string; readonly policy: Policy };
}

export async function policiesInForce(db: Store, options: InForceOptions = {}): Promise<Policy[]> {
  const replacing = options.replace?.policyId;
  const rows = await db.policy.findMany({
    where: { OR: [{ enabled: true }, ...(replacing ? [{ id: replacing }] : [])] },
    orderBy: [{ priority: "asc" }, { name: "asc" }],
    select: { id: true, name: true, enabled: true, document: true },
  });
  const policies: Policy[] = [];
  let replaced = false;
  for (const row of rows) {
    if (options.replace && row.id === replacing) {
      policies.push(options.replace.policy);
      replaced = true;
      continue;
    }
    if (!row.enabled) continue;
    const parsed = validatePolicy(row.document);
    if (parsed.ok) policies.push(parsed.policy);
    else options.onInvalid?.(row.name, parsed.errors);
  }
  if (options.replace && !replaced) policies.push(options.replace.policy);
  return policies.length > 0 ? policies : [defaultPolicy()];
}
