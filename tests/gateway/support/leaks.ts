import type { GatewayFixture } from "./fixture";
import { SECRET_VALUES } from "./shop";

// Scanning text (a response body, a recording, a log) for values that must never be in it.

/** Luhn check of a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Every whole run of 13–19 digits (optionally split by single spaces or dashes, not touching letters or
 *  other digits, so hashes and UUIDs do not count) that passes the Luhn check. */
export function luhnRuns(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?<![A-Za-z0-9])\d(?:[ -]?\d){12,18}(?![A-Za-z0-9])/g)) {
    const digits = match[0].replace(/[ -]/g, "");
    if (luhnValid(digits) && !/^(\d)\1+$/.test(digits)) found.push(digits);
  }
  return [...new Set(found)];
}

/** The seeded card numbers / SSNs (and Luhn-valid card-like runs) found in `text`; empty when clean. */
export function leakedSecrets(text: string, extra: readonly string[] = []): string[] {
  const leaks = [...SECRET_VALUES, ...extra].filter((value) => text.includes(value));
  // Seeded values also leak reversed or spaced out, e.g. through string functions.
  for (const value of SECRET_VALUES) {
    const digits = value.replace(/\D/g, "");
    if (digits.length >= 9 && text.replace(/\D/g, "").includes(digits) && !leaks.includes(value)) {
      // Only count digit sequences that are not part of an unrelated longer number (checked loosely).
      if (new RegExp(digits.split("").join("[^0-9A-Za-z]{0,3}")).test(text)) leaks.push(`${value} (split)`);
    }
  }
  for (const run of luhnRuns(text)) leaks.push(`luhn:${run}`);
  return leaks;
}

/** The credentials of the fixture's targets, as they would show if they leaked. */
export function credentialStrings(fixture: GatewayFixture): string[] {
  return [fixture.targetPasswords.pg, fixture.targetPasswords.mysql, fixture.masterKeyBase64];
}
