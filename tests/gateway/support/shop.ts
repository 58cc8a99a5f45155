// The shop every gateway test queries: customers with (test) card numbers, SSNs and e-mail addresses, and
// their orders. The same rows on PostgreSQL and on MariaDB.

export interface SeedCustomer {
  readonly id: number;
  readonly name: string;
  readonly email: string;
  /** Luhn-valid test card numbers (the networks' published test numbers). */
  readonly cardNumber: string;
  readonly cardLast4: string;
  readonly ssn: string;
}

export const CUSTOMERS: readonly SeedCustomer[] = [
  { id: 1, name: "Ada Lovelace", email: "ada.lovelace@example.com", cardNumber: "4111111111111111", cardLast4: "1111", ssn: "219-09-9999" },
  { id: 2, name: "Grace Hopper", email: "grace.hopper@example.org", cardNumber: "5555555555554444", cardLast4: "4444", ssn: "078-05-1120" },
  { id: 3, name: "Alan Turing", email: "alan.turing@example.net", cardNumber: "378282246310005", cardLast4: "0005", ssn: "536-22-8726" },
  { id: 4, name: "Edsger Dijkstra", email: "edsger@example.com", cardNumber: "6011111111111117", cardLast4: "1117", ssn: "412-75-3961" },
  { id: 5, name: "Barbara Liskov", email: "barbara.liskov@example.com", cardNumber: "4242424242424242", cardLast4: "4242", ssn: "301-64-2217" },
];

export interface SeedOrder {
  readonly id: number;
  readonly customerId: number;
  readonly amountCents: number;
  readonly status: string;
}

export const ORDERS: readonly SeedOrder[] = [
  { id: 1, customerId: 1, amountCents: 1250, status: "paid" },
  { id: 2, customerId: 1, amountCents: 4999, status: "shipped" },
  { id: 3, customerId: 2, amountCents: 300, status: "paid" },
  { id: 4, customerId: 3, amountCents: 12000, status: "refunded" },
  { id: 5, customerId: 4, amountCents: 750, status: "paid" },
  { id: 6, customerId: 5, amountCents: 2100, status: "pending" },
];

/** Every raw value that must never leave the gateway or reach a recording (cards, SSNs, SSN digits). */
export const SECRET_VALUES: readonly string[] = CUSTOMERS.flatMap((customer) => [customer.cardNumber, customer.ssn, customer.ssn.replace(/-/g, "")]);

function values(): string {
  const customers = CUSTOMERS.map((c) => `(${c.id}, '${c.name}', '${c.email}', '${c.cardNumber}', '${c.cardLast4}', '${c.ssn}')`).join(",\n  ");
  return `INSERT INTO customers (id, name, email, card_number, card_last4, ssn) VALUES\n  ${customers};`;
}

function orderValues(): string {
  const orders = ORDERS.map((o) => `(${o.id}, ${o.customerId}, ${o.amountCents}, '${o.status}')`).join(",\n  ");
  return `INSERT INTO orders (id, customer_id, amount_cents, status) VALUES\n  ${orders};`;
}

export const POSTGRES_SHOP_SQL = `
CREATE TABLE customers (
  id integer PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  card_number text NOT NULL,
  card_last4 text NOT NULL,
  ssn text NOT NULL
);
CREATE TABLE orders (
  id integer PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers(id),
  amount_cents integer NOT NULL,
  status text NOT NULL
);
${values()}
${orderValues()}
`;

export const MYSQL_SHOP_SQL = `
CREATE TABLE customers (
  id INT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  email VARCHAR(200) NOT NULL,
  card_number VARCHAR(19) NOT NULL,
  card_last4 CHAR(4) NOT NULL,
  ssn VARCHAR(11) NOT NULL
);
CREATE TABLE orders (
  id INT PRIMARY KEY,
  customer_id INT NOT NULL,
  amount_cents INT NOT NULL,
  status VARCHAR(20) NOT NULL,
  FOREIGN KEY (customer_id) REFERENCES customers(id)
);
${values()}
${orderValues()}
`;
