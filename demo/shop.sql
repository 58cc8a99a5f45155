-- The demo target: a small shop. Card numbers are the card networks' published test numbers (they pass
-- Luhn, they charge nobody); SSNs are well-formed but issued to nobody.
CREATE TABLE customers (
  id          serial PRIMARY KEY,
  name        text NOT NULL,
  email       text NOT NULL UNIQUE,
  card_number text NOT NULL,
  card_last4  text NOT NULL,
  ssn         text NOT NULL,
  city        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  id          serial PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers(id),
  total_cents integer NOT NULL CHECK (total_cents >= 0),
  status      text NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'refunded')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO customers (name, email, card_number, card_last4, ssn, city) VALUES
  ('Ada Lovelace',      'ada@example.com',      '4242 4242 4242 4242', '4242', '512-44-1234', 'London'),
  ('Grace Hopper',      'grace@example.com',    '4111 1111 1111 1111', '1111', '231-56-7788', 'Arlington'),
  ('Alan Turing',       'alan@example.org',     '5555 5555 5555 4444', '4444', '345-12-9012', 'Manchester'),
  ('Katherine Johnson', 'katherine@example.net','3782 822463 10005',   '0005', '401-23-4567', 'Hampton'),
  ('Edsger Dijkstra',   'edsger@example.nl',    '6011 1111 1111 1117', '1117', '512-90-3456', 'Nuenen'),
  ('Barbara Liskov',    'barbara@example.com',  '5105 1051 0510 5100', '5100', '288-71-6543', 'Boston'),
  ('Donald Knuth',      'don@example.edu',      '4000 0566 5566 5556', '5556', '177-33-2211', 'Stanford'),
  ('Margaret Hamilton', 'margaret@example.com', '2223 0031 2200 3222', '3222', '318-64-1090', 'Cambridge'),
  ('Tim Berners-Lee',   'tim@example.co.uk',    '4012 8888 8888 1881', '1881', '219-48-5521', 'Geneva'),
  ('Frances Allen',     'frances@example.com',  '3056 9309 0259 04',   '5904', '367-02-8830', 'Peru NY'),
  ('Ken Thompson',      'ken@example.com',      '6011 0009 9013 9424', '9424', '425-19-7743', 'New Orleans'),
  ('Radia Perlman',     'radia@example.com',    '3714 496353 98431',   '8431', '532-66-0187', 'Portsmouth');

INSERT INTO orders (customer_id, total_cents, status, created_at)
SELECT 1 + (n * 7) % 12,
       500 + (n * 1237) % 25000,
       (ARRAY['pending', 'paid', 'shipped', 'refunded'])[1 + n % 4],
       now() - make_interval(hours => n * 5)
FROM generate_series(1, 60) AS n;
