#!/usr/bin/env node
// Writes the example's seed CSVs (customers, orders, payments) from a fixed
// PRNG seed, so the files are reproducible: `node scripts/generate-seeds.mjs`.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEEDS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'seeds');
const CUSTOMERS = 240;
const ORDERS = 1100;

// mulberry32: a tiny PRNG, good enough for sample data and identical on every machine.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(20240611);
const pick = (list) => list[Math.floor(random() * list.length)];
const between = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));

const FIRST = ['Ada', 'Bram', 'Chiara', 'Dmitri', 'Esme', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kaia', 'Luca', 'Mira', 'Nils', 'Orla', 'Pavel', 'Quinn', 'Rosa', 'Sami', 'Tove', 'Umar', 'Vera', 'Wim', 'Yara', 'Zeno'];
const LAST = ['Abbott', 'Brandt', 'Castell', 'Duarte', 'Eklund', 'Fontaine', 'Gallo', 'Haas', 'Ivanova', 'Jensen', 'Kowal', 'Lindqvist', 'Moreau', 'Novak', 'Okafor', 'Petrov', 'Quist', 'Rossi', 'Sato', 'Torres', 'Ueda', 'Varga', 'Weber', 'Young', 'Zima'];
const STATUSES = [
  ['completed', 0.62],
  ['shipped', 0.16],
  ['placed', 0.1],
  ['return_pending', 0.05],
  ['returned', 0.07],
];
const METHODS = [
  ['card', 0.55],
  ['bank_transfer', 0.2],
  ['gift_card', 0.15],
  ['voucher', 0.1],
];

function weighted(choices) {
  let r = random();
  for (const [value, weight] of choices) {
    if ((r -= weight) < 0) return value;
  }
  return choices[choices.length - 1][0];
}

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const pad = (n) => String(n).padStart(2, '0');
const date = (ms) => new Date(ms).toISOString().slice(0, 10);
const timestamp = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

function csv(name, header, rows) {
  const text = [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
  writeFileSync(join(SEEDS_DIR, name), text);
  console.log(`${name}: ${rows.length} rows`);
}

const customers = [];
for (let id = 1; id <= CUSTOMERS; id++) {
  const first = pick(FIRST);
  const last = pick(LAST);
  const signedUp = START + between(0, 300) * DAY;
  customers.push([id, first, last, `${first}.${last}${id}@example.com`.toLowerCase(), date(signedUp)]);
}

const orders = [];
const payments = [];
let paymentId = 1;
for (let id = 1; id <= ORDERS; id++) {
  const customer = customers[between(0, CUSTOMERS - 1)];
  const signedUp = Date.parse(`${customer[4]}T00:00:00Z`);
  const orderedAt = signedUp + between(0, 60) * DAY + between(7 * 3600, 21 * 3600) * 1000;
  const status = weighted(STATUSES);
  const lag = status === 'placed' ? 0 : status === 'shipped' ? between(1, 3) : between(3, 20);
  const updatedAt = orderedAt + lag * DAY + between(0, 3600) * 1000;
  orders.push([id, customer[0], timestamp(orderedAt), status, timestamp(updatedAt)]);

  // Most orders are paid in one go; some split across a gift card or voucher.
  const parts = random() < 0.8 ? 1 : between(2, 3);
  for (let p = 0; p < parts; p++) {
    const cents = between(300, 9500);
    payments.push([paymentId++, id, p === 0 ? weighted(METHODS) : pick(['gift_card', 'voucher']), `${Math.floor(cents / 100)}.${pad(cents % 100)}`]);
  }
}

csv('raw_customers.csv', ['id', 'first_name', 'last_name', 'email', 'signed_up_on'], customers);
csv('raw_orders.csv', ['id', 'customer_id', 'ordered_at', 'status', 'updated_at'], orders);
csv('raw_payments.csv', ['id', 'order_id', 'method', 'amount'], payments);
