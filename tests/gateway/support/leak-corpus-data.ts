import { leakedSecrets } from "./leaks";

// The data of tests/gateway/leak-corpus.test.ts: a `patients` table whose email, ssn and card_number columns are
// masked by policy, and whose free-text `notes` embed more sensitive values in sentences. Made up, but valid:
// card numbers pass Luhn (first digit 2–6), IBANs pass mod-97, SSNs have an issuable area/group/serial.
// (219-09-9999 and 078-05-1120 are not used: the SSN detector deliberately skips these published examples as never
// issued.) A value stored in no recognisable form (an SSN as nine bare digits) in a column no rule names is beyond
// what content detection can find: name such columns in a rule, by pattern if copies may exist (`*.ssn`).

export interface Patient {
  readonly id: number;
  readonly name: string;
  readonly email: string;
  readonly ssn: string;
  readonly cardNumber: string;
  readonly notes: string;
  readonly visitDate: string;
  readonly orderNo: string;
}

export const PATIENTS: readonly Patient[] = [
  { id: 1, name: "Maria Gonzalez", email: "maria.gonzalez@example.com", ssn: "287-65-4321", cardNumber: "4012888888881881", visitDate: "2024-03-05", orderNo: "ORD-2024-000123",
    notes: "Card on file 5425 2334 3010 9903, charge co-pays there." },
  { id: 2, name: "James Okafor", email: "j.okafor@example.net", ssn: "501-23-8844", cardNumber: "371449635398431", visitDate: "2024-04-17", orderNo: "ORD-2024-000456",
    notes: "Old card 4111-1111-1111-1111 declined; SSN 451-82-3307 confirmed at the desk." },
  { id: 3, name: "Lena Fischer", email: "lena.fischer@example.de", ssn: "345-67-2190", cardNumber: "6011000990139424", visitDate: "2024-05-02", orderNo: "ORD-2024-001789",
    notes: "Prefers e-mail: mail me at a.b@example.org with the results." },
  { id: 4, name: "Tom Baker", email: "tom.baker@example.co.uk", ssn: "622-18-4403", cardNumber: "5105105105105100", visitDate: "2024-06-21", orderNo: "ORD-2024-002000",
    notes: "Refunds go to IBAN DE89 3704 0044 0532 0130 00 as agreed." },
  { id: 5, name: "Priya Natarajan", email: "priya.n@example.org", ssn: "132-54-7698", cardNumber: "3530111333300000", visitDate: "2024-07-30", orderNo: "ORD-2024-010101",
    notes: "Insurer pays from NL91ABNA0417164300 or GB82WEST12345698765432; follow up next week." },
];

/** The sensitive values embedded in the notes, as written there. */
export const NOTE_VALUES = [
  "5425 2334 3010 9903", "4111-1111-1111-1111", "451-82-3307", "a.b@example.org",
  "DE89 3704 0044 0532 0130 00", "NL91ABNA0417164300", "GB82WEST12345698765432",
] as const;

/** Every raw sensitive value of the table: the masked columns' values and those inside the notes. */
export const RAW_VALUES: readonly string[] = [...PATIENTS.flatMap((p) => [p.email, p.ssn, p.cardNumber]), ...NOTE_VALUES];

/** A phrase of each note that must survive (the notes are masked span by span, not redacted whole). */
export const READABLE = "card on file";

/**
 * The raw values found anywhere in `text`: as written, case-insensitively (upper() of an e-mail), and without
 * their spaces and dashes (a card or IBAN re-grouped, an SSN without dashes); plus the support's own scan
 * (the shop's seeded secrets, any Luhn-valid 13–19 digit run).
 */
export function rawValuesIn(text: string): string[] {
  const lower = text.toLowerCase();
  const squeezed = lower.replace(/[\s-]/g, "");
  const found = RAW_VALUES.filter((value) => lower.includes(value.toLowerCase()) || squeezed.includes(value.toLowerCase().replace(/[\s-]/g, "")));
  return [...new Set([...found, ...leakedSecrets(text)])];
}

// ── The tables, views, functions and copies, as the target's own admin creates them (not through Airlock) ──

const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;
const rows = PATIENTS.map((p) => `(${p.id}, ${[p.name, p.email, p.ssn, p.cardNumber, p.notes, p.visitDate, p.orderNo].map(quote).join(", ")})`).join(",\n  ");
const insert = `INSERT INTO patients (id, name, email, ssn, card_number, notes, visit_date, order_no) VALUES\n  ${rows};`;

export const POSTGRES_PATIENTS_SQL = `
CREATE TABLE patients (id integer PRIMARY KEY, name text NOT NULL, email text NOT NULL, ssn text NOT NULL,
  card_number text NOT NULL, notes text NOT NULL, visit_date date NOT NULL, order_no text NOT NULL);
${insert}
CREATE VIEW v_contacts AS SELECT email AS contact, ssn AS ident, notes FROM patients;
CREATE FUNCTION leak() RETURNS SETOF text AS 'SELECT ssn FROM patients' LANGUAGE sql;
CREATE FUNCTION leak_card() RETURNS SETOF text AS 'SELECT card_number FROM patients' LANGUAGE sql;
CREATE SCHEMA copy;
CREATE TABLE copy.people AS SELECT * FROM patients;
`;

export const MYSQL_PATIENTS_SQL = `
CREATE TABLE patients (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(200) NOT NULL, ssn VARCHAR(11) NOT NULL,
  card_number VARCHAR(19) NOT NULL, notes TEXT NOT NULL, visit_date DATE NOT NULL, order_no VARCHAR(20) NOT NULL);
${insert}
CREATE VIEW v_contacts AS SELECT email AS contact, ssn AS ident, notes FROM patients;
CREATE FUNCTION leak_card(pid INT) RETURNS VARCHAR(40) READS SQL DATA RETURN (SELECT card_number FROM patients WHERE id = pid);
CREATE FUNCTION leak_ssn(pid INT) RETURNS VARCHAR(40) READS SQL DATA RETURN (SELECT ssn FROM patients WHERE id = pid);
CREATE TABLE people_copy AS SELECT * FROM patients;
`;
