import { randomUUID } from 'node:crypto';
import { seededRandom } from '../../sdk/sandbox-kit.js';
import type { RawCustomer, RawStockItem } from '../types.js';

const FIRST = [
  'Ann',
  'Ben',
  'Chloe',
  'David',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemal',
  'Lena',
  'Marco',
  'Nadia',
  'Oskar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tara',
];
const LAST = [
  'Adams',
  'Berg',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haas',
  'Ivanova',
  'Jensen',
  'Kowalski',
  'Lopez',
  'Moreau',
  'Novak',
  "O'Brien",
  'Petrov',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Weber',
];
const COMPANY = [
  'Outfitters',
  'Supply',
  'Trading',
  'Works',
  'Goods',
  'Market',
  'Depot',
  'Traders',
  'Studio',
  'Partners',
];
const CITIES: Array<[string, string, string]> = [
  ['Seattle', 'WA', '98101'],
  ['Portland', 'OR', '97201'],
  ['Austin', 'TX', '73301'],
  ['Denver', 'CO', '80202'],
  ['Boston', 'MA', '02108'],
  ['Chicago', 'IL', '60601'],
  ['Atlanta', 'GA', '30303'],
  ['Phoenix', 'AZ', '85001'],
  ['Miami', 'FL', '33101'],
  ['Madison', 'WI', '53703'],
];
const ADJ = ['Classic', 'Compact', 'Deluxe', 'Eco', 'Heavy-Duty', 'Mini', 'Pro', 'Smart', 'Ultra', 'Vintage'];
const NOUN = [
  'Backpack',
  'Blender',
  'Chair',
  'Desk Lamp',
  'Drill',
  'Headphones',
  'Kettle',
  'Monitor Arm',
  'Tent',
  'Water Bottle',
];
/** The Customer Classes screen (AR201000): class ID → description. */
export const CUSTOMER_CLASS_SETUP: Readonly<Record<string, string>> = {
  DEFAULT: 'Default customer class',
  RETAIL: 'Retail customers',
  WHOLESALE: 'Wholesale customers',
  B2B: 'Business customers',
};
/** The Item Classes screen (IN201000): class ID → description. */
export const ITEM_CLASS_SETUP: Readonly<Record<string, string>> = {
  FINISHED: 'Finished goods',
  COMPONENT: 'Components',
  RETAIL: 'Retail merchandise',
};
export const CUSTOMER_CLASSES = Object.keys(CUSTOMER_CLASS_SETUP);
export const ITEM_CLASSES = Object.keys(ITEM_CLASS_SETUP);
export const WAREHOUSES = ['MAIN', 'RETAIL', 'WHOLESALE'];

const v = <T>(value: T) => ({ value });
const cents = (n: number) => Math.round(n * 100) / 100;

/**
 * Deterministic sample data. Timestamps lie in the 30 days before `now`, three records at a time
 * sharing one, so incremental reads meet shared timestamps at every page boundary.
 */
export function seedData(opts: {
  seed: number;
  customers: number;
  products: number;
  now?: number;
  defects?: boolean;
}) {
  const rnd = seededRandom(opts.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const now = opts.now ?? Date.now();
  const stamp = (i: number, n: number) =>
    new Date(
      now - 30 * 86_400_000 + Math.floor(i / 3) * Math.floor((29 * 86_400_000) / Math.max(1, n / 3)),
    ).toISOString();

  const customers: RawCustomer[] = [];
  for (let i = 1; i <= opts.customers; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const [city, state, zip] = pick(CITIES);
    const r = rnd();
    const status = r < 0.9 ? 'Active' : r < 0.95 ? 'On Hold' : 'Credit Hold';
    const id = `C${String(i).padStart(6, '0')}`;
    const email = `${first}.${last}.${i}@example.com`.toLowerCase().replace(/'/g, '');
    const phone = `+1 555 ${String(1000 + (i % 9000)).padStart(4, '0')}`;
    const defect = opts.defects && i % 97 === 0;
    customers.push({
      id: randomUUID(),
      CustomerID: v(id),
      CustomerName: v(`${last} ${pick(COMPANY)}`),
      CustomerClass: v(pick(CUSTOMER_CLASSES)),
      Status: v(status),
      CurrencyID: v(rnd() < 0.85 ? 'USD' : pick(['EUR', 'CAD'])),
      CreditLimit: v(cents(Math.floor(rnd() * 40) * 500 + (rnd() < 0.2 ? 0.5 : 0))),
      Email: v(defect ? '' : email),
      MainContact: {
        id: randomUUID(),
        FirstName: v(first),
        LastName: v(last),
        DisplayName: v(`${first} ${last}`),
        Email: v(defect ? '' : email),
        Phone1: v(phone),
        Address: {
          id: randomUUID(),
          AddressLine1: v(`${100 + (i % 900)} ${pick(LAST)} Street`),
          City: v(city),
          State: v(state),
          PostalCode: v(zip),
          Country: v('US'),
        },
      },
      LastModifiedDateTime: v(stamp(i - 1, opts.customers)),
    });
  }

  const items: RawStockItem[] = [];
  for (let i = 1; i <= opts.products; i++) {
    const price = cents(5 + rnd() * 495);
    const standard = rnd() < 0.6;
    const cost = cents(price * (0.4 + rnd() * 0.3));
    const ts = stamp(i - 1, opts.products);
    items.push({
      id: randomUUID(),
      InventoryID: v(`ITEM${String(i).padStart(5, '0')}`),
      Description: v(`${pick(ADJ)} ${pick(NOUN)} ${i}`),
      ItemClass: v(pick(ITEM_CLASSES)),
      ItemStatus: v(rnd() < 0.95 ? 'Active' : 'Inactive'),
      ValuationMethod: v(standard ? 'Standard' : 'Average'),
      DefaultPrice: v(price),
      CurrentStdCost: v(standard ? cost : 0),
      AverageCost: v(standard ? 0 : cost),
      LastCost: v(cost),
      BaseUOM: v('EA'),
      DimensionWeight: v(cents(0.1 + rnd() * 20)),
      WeightUOM: v('KG'),
      WarehouseDetails: WAREHOUSES.slice(0, 2 + Math.floor(rnd() * 2)).map((w) => ({
        id: randomUUID(),
        WarehouseID: v(w),
        QtyOnHand: v(Math.floor(rnd() * 500)),
      })),
      LastModified: v(ts),
      LastModifiedDateTime: v(ts),
    });
  }
  return { customers, items };
}
