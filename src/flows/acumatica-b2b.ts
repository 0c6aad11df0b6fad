import type { CatalogFlow } from './flow-definition.js';

/**
 * Acumatica (the ERP) and the B2B portal of seed 003, built on Adobe Commerce B2B: a Magento
 * connection with `b2bCompanies` writes each customer as a company (write-companies.ts).
 */
export const acumaticaB2bFlows: Readonly<Record<string, CatalogFlow>> = {
  'acumatica-b2b.companies': {
    description:
      'Acumatica B2B customers enabled for the portal to Adobe Commerce B2B companies: basic information, the primary contact as company admin, other contacts as company users, the address book, payment methods by terms and the predefined role; matched by company e-mail',
    entity: 'customer',
    sourceConnector: 'acumatica',
    // A Magento connection with b2bCompanies: true (and companyRole, companyPaymentMethods).
    targetConnector: 'magento',
    ownedFields: ['name', 'email', 'contacts', 'addresses', 'terms'],
    // Seed 003's per-customer "Enable … Commerce Framework" checkbox for the connection type [KNB]:
    // the Acumatica attribute or custom field (customerCustomFields) that holds it.
    settings: { enabledAttribute: 'KNB' },
    conditions: [
      {
        // One condition, so that both must hold (a flow's conditions pass when any holds).
        name: 'customer type is B2B and {{enabledAttribute}} is checked',
        // The setting is a variable: its value is data, never part of the expression's text.
        expression:
          'type = "B2B" and $lowercase($string($lookup(attributes, $enabledAttribute))) in ["true", "1", "yes"]',
        explain:
          'type = "B2B" ? $enabledAttribute & " is " & ($exists($lookup(attributes, $enabledAttribute)) ? $lookup(attributes, $enabledAttribute) : "not set") : "the customer type is " & ($exists(type) ? type : "not set")',
      },
    ],
    schedule: '*/15 * * * *',
  },
};
