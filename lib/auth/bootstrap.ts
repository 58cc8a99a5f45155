import { hash } from "@node-rs/argon2";
import type { Store } from "../store/client";

// The first admin of a fresh installation, from configuration (AIRLOCK_ADMIN_EMAIL + AIRLOCK_ADMIN_PASSWORD).
// Created once, when no account has that e-mail; an existing account is left exactly as it is (its password may
// have been changed since, and its roles are the admins' business).

export type BootstrapOutcome = "created" | "exists";

export async function ensureBootstrapAdmin(db: Store, email: string, password: string, now = new Date()): Promise<BootstrapOutcome> {
  const normalised = email.trim().toLowerCase();
  const existing = await db.user.findUnique({ where: { email: normalised }, select: { id: true } });
  if (existing) return "exists";
  const passwordHash = await hash(password);
  const created = await db.user.createMany({
    data: [{ email: normalised, name: "Administrator", passwordHash, roles: ["admin"], createdAt: now }],
    skipDuplicates: true, // a second replica starting at the same moment
  });
  return created.count === 1 ? "created" : "exists";
}
