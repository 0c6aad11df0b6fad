/** A connection's settings, as the manifest's fields validate them. */
export interface TrytonSettings {
  /** Where trytond listens, e.g. http://127.0.0.1:8000 (the JSON-RPC root; the database follows it). */
  url: string;
  database: string;
  username: string;
  password: string;
  /** The company's id or its party's name; the user's current company when absent. */
  company?: string;
  /** The warehouse's id, code or name; the only (or first) warehouse when absent. */
  warehouse?: string;
  /** Code of the service product a shipping cost is booked on. */
  shippingProduct: string;
  /** Name of the party category that marks customers; every party but the companies' own when absent. */
  customerCategory?: string;
  /** Id or name of the account category given to products Ledgerlink creates. */
  productCategory?: string;
  /** The party id web orders placed without an account are booked to. */
  guestCustomer?: string;
  pageSize: number;
  timeoutMs: number;
}
