/** QuickBooks Online v3 JSON shapes we read and write (the XSDs in specs/quickbooks name every element). */

export interface Ref {
  value: string;
  name?: string;
}

export interface MetaData {
  CreateTime?: string;
  LastUpdatedTime?: string;
}

export interface PhysicalAddress {
  Id?: string;
  Line1?: string;
  Line2?: string;
  Line3?: string;
  City?: string;
  Country?: string;
  CountryCode?: string;
  CountrySubDivisionCode?: string;
  PostalCode?: string;
}

export interface QboEntity {
  Id?: string;
  SyncToken?: string;
  MetaData?: MetaData;
  sparse?: boolean;
}

export interface QboCustomer extends QboEntity {
  DisplayName?: string;
  FullyQualifiedName?: string;
  CompanyName?: string;
  GivenName?: string;
  FamilyName?: string;
  Active?: boolean;
  PrimaryEmailAddr?: { Address?: string };
  PrimaryPhone?: { FreeFormNumber?: string };
  BillAddr?: PhysicalAddress;
  ShipAddr?: PhysicalAddress;
  CurrencyRef?: Ref;
  Balance?: number;
  Taxable?: boolean;
  Notes?: string;
}

export interface QboItem extends QboEntity {
  Name?: string;
  FullyQualifiedName?: string;
  Sku?: string;
  Description?: string;
  Active?: boolean;
  Type?: 'Inventory' | 'NonInventory' | 'Service' | 'Group' | 'Category';
  UnitPrice?: number;
  PurchaseCost?: number;
  QtyOnHand?: number;
  TrackQtyOnHand?: boolean;
  Taxable?: boolean;
  IncomeAccountRef?: Ref;
  SalesTaxCodeRef?: Ref;
}

export interface QboLine {
  Id?: string;
  LineNum?: number;
  Description?: string;
  Amount?: number;
  DetailType:
    | 'SalesItemLineDetail'
    | 'DescriptionOnly'
    | 'DiscountLineDetail'
    | 'SubTotalLineDetail'
    | 'GroupLineDetail';
  SalesItemLineDetail?: {
    ItemRef?: Ref;
    UnitPrice?: number;
    Qty?: number;
    TaxCodeRef?: Ref;
  };
  DescriptionLineDetail?: { TaxCodeRef?: Ref };
  DiscountLineDetail?: { PercentBased?: boolean; DiscountPercent?: number };
  SubTotalLineDetail?: Record<string, unknown>;
}

export interface QboCustomField {
  DefinitionId: string;
  Name?: string;
  Type: 'StringType';
  StringValue: string;
}

export interface QboInvoice extends QboEntity {
  DocNumber?: string;
  TxnDate?: string;
  DueDate?: string;
  CustomerRef?: Ref;
  CurrencyRef?: Ref;
  PrivateNote?: string;
  CustomerMemo?: { value: string };
  CustomField?: QboCustomField[];
  Line?: QboLine[];
  TxnTaxDetail?: { TxnTaxCodeRef?: Ref; TotalTax?: number; TaxLine?: unknown[] };
  TotalAmt?: number;
  Balance?: number;
}

export interface QboCompanyInfo extends QboEntity {
  CompanyName?: string;
  Country?: string;
}

export interface QboAccount extends QboEntity {
  Name?: string;
  AccountType?: string;
  Active?: boolean;
}

/** One error of a Fault: Intuit spells the keys capitalised, except in 401 answers (⚠ FACTS.md). */
export interface FaultError {
  Message?: string;
  Detail?: string;
  code?: string;
  element?: string;
  message?: string;
  detail?: string;
}

export interface Fault {
  Error?: FaultError[];
  error?: FaultError[];
  type?: string;
}

/** The entity names of the API, as its JSON wraps records and its paths name them (lower case). */
export type QboEntityName = 'Customer' | 'Item' | 'Invoice' | 'CompanyInfo' | 'Account';
