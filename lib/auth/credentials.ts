import { randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";
import type { Store } from "../store/client";
import type { Role } from "./permissions";
import { FailureThrottle } from "./throttle";

// E-mail + password sign-in against User.passwordHash (argon2id, @node-rs/argon2 defaults).
// Every refusal looks the same to the caller and costs about the same time: an unknown e-mail, an account without
// a password (OIDC only), a disabled account and a wrong password all run one argon2 verification.

export const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email().max(320)),
  password: z.string().min(1).max(1024),
});

export interface SignedInUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly roles: Role[];
}

const throttle = new FailureThrottle({ maxFailures: 10, windowMs: 15 * 60_000 });

let dummyHash: Promise<string> | undefined;
/** A hash of a random password nobody knows, made with the same parameters as real ones. */
function dummy(): Promise<string> {
  dummyHash ??= hash(randomBytes(24).toString("base64"));
  return dummyHash;
}

async function passwordMatches(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  try {
    if (!passwordHash) {
      await verify(await dummy(), password);
      return false;
    }
    return await verify(passwordHash, password);
  } catch {
    return false; // a malformed stored hash refuses, it does not throw
  }
}

/** The user when the credentials are right and the account may sign in; otherwise null. */
export async function checkCredentials(db: Store, input: unknown, now = new Date()): Promise<SignedInUser | null> {
  const parsed = credentialsSchema.safeParse(input);
  if (!parsed.success) {
    await passwordMatches(null, "");
    return null;
  }
  const { email, password } = parsed.data;
  if (!throttle.allows(email, now.getTime())) {
    await passwordMatches(null, password);
    return null;
  }
  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, roles: true, disabled: true, passwordHash: true },
  });
  const matches = await passwordMatches(user?.passwordHash, password);
  if (!user || !matches || user.disabled) {
    throttle.recordFailure(email, now.getTime());
    return null;
  }
  throttle.recordSuccess(email);
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: now }, select: { id: true } });
  return { id: user.id, email: user.email, name: user.name, roles: user.roles };
}
