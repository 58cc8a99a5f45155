import { z } from "zod";

// How one column's values are hidden. Shared by the policy model (rules name a strategy) and lib/masking
// (which applies it). Kept here because lib/masking may import lib/policy types, never the reverse.
export const maskStrategySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("redact") }), // "****"
  z.object({
    kind: z.literal("partial"),
    keepFirst: z.number().int().min(0).max(64).default(0),
    keepLast: z.number().int().min(0).max(64).default(4),
  }),
  z.object({ kind: z.literal("hash") }), // keyed HMAC, stable so joins and GROUP BY still work
  z.object({ kind: z.literal("null") }),
  z.object({ kind: z.literal("email") }), // keep the domain: ****@example.com
  z.object({ kind: z.literal("card") }), // **** **** **** 4242
]);

export type MaskStrategy = z.infer<typeof maskStrategySchema>;
export type MaskStrategyKind = MaskStrategy["kind"];
