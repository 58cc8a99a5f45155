import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { redactDetectedValue } from "./detect-value";

// With the detectors on every column (the default), what is not sensitive must come back exactly as it is: the
// demo shop's ordinary columns, and the kinds of values tables are full of — ids, dates, amounts, order numbers.

const DEMO = fs.readFileSync(path.join(import.meta.dirname, "../../demo/shop.sql"), "utf8");

/** The demo customers' name and city (the columns no rule masks), and every value an orders row can hold. */
function demoOrdinaryValues(): unknown[] {
  const values: unknown[] = [];
  for (const row of DEMO.matchAll(/^\s*\('([^']*)',\s*'[^']*',\s*'[^']*',\s*'([^']*)',\s*'[^']*',\s*'([^']*)'\)/gm)) {
    values.push(row[1], row[2], row[3]); // name, card_last4 (four digits are no card), city
  }
  for (let n = 1; n <= 60; n++) {
    values.push(n, 1 + ((n * 7) % 12), 500 + ((n * 1237) % 25000), ["pending", "paid", "shipped", "refunded"][n % 4]);
    values.push(new Date(Date.UTC(2026, 0, 1) - n * 5 * 3_600_000), new Date(Date.UTC(2026, 0, 1) - n * 5 * 3_600_000).toISOString());
  }
  return values;
}

const ORDINARY: unknown[] = [
  0, 7, 42, 1_000_000, 2_147_483_647, 9_007_199_254_740, -15, 19.99, 1234.5, 0.25,
  "ORD-2024-000123", "INV-0000048213", "order #48213", "PO 2024/03/0001", "SKU-77-1234-XL",
  "2024-03-01", "2024-03-01T12:34:56.789Z", "2024-03-01 12:34:56+00", "01/03/2024", "12:30:00", "1709294096",
  "1709294096123", "v1.2.3", "10.0.0.1", "192.168.100.200", "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
  "EUR 1,234.56", "$ 19.99", "SW1A 1AA", "94103", "75001 Paris", "Rue de Rivoli 12", "Ticket #48213 closed",
  "Upgraded to the premium plan on 2024-03-01 after the trial ended.", "room 101, floor 3", "ISBN 978-3-16-148410-0",
  "qty 12 x 4.50", "lat 48.8566 lon 2.3522", "ssn", "card_number", "email", "not an email: user at example dot com",
];

describe("no false positives with detectors on every column", () => {
  it("the demo shop's ordinary columns are unchanged", () => {
    const values = demoOrdinaryValues();
    expect(values.length).toBeGreaterThan(250);
    const changed = values.filter((value) => redactDetectedValue(value) !== value);
    expect(changed).toEqual([]);
  });

  it.each(ORDINARY.map((value) => [value]))("%s is unchanged", (value) => {
    expect(redactDetectedValue(value)).toBe(value);
  });

  it("while a card number, SSN or e-mail in the same kind of text is masked, and the rest stays readable", () => {
    expect(redactDetectedValue("card on file 5425 2334 3010 9903, expires soon")).toBe("card on file **** **** **** 9903, expires soon");
    expect(redactDetectedValue("Ticket #48213: SSN 512-44-1234 given by phone")).toBe("Ticket #48213: SSN **** given by phone");
    expect(redactDetectedValue("order ORD-2024-000123 for a.b@example.org")).toBe("order ORD-2024-000123 for ****@example.org");
  });
});
