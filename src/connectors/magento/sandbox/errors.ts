/**
 * Magento's error bodies (error-response). Magento sends named parameters as an object and
 * positional ones as an array of strings; the published spec allows only an array of
 * {resources, fieldName, fieldValue} objects, so the sandbox sends named parameters in that form and
 * fills positional ones ("%1") into the message itself.
 */
export interface ErrorBody {
  message: string;
  parameters?: Array<Record<string, string>>;
}

export const fail = (message: string, parameters?: Record<string, string>): ErrorBody =>
  parameters ? { message, parameters: [parameters] } : { message };

/** InputException::requiredField. */
export const required = (field: string): ErrorBody =>
  fail('"%fieldName" is required. Enter and try again.', { fieldName: field });

/** NoSuchEntityException::singleField, e.g. GET /V1/customers/{id} of an unknown id. */
export const noSuch = (field: string, value: string): ErrorBody =>
  fail('No such entity with %fieldName = %fieldValue', { fieldName: field, fieldValue: value });

export const NO_SUCH_PRODUCT = fail(
  "The product that was requested doesn't exist. Verify the product and try again.",
);

export const DUPLICATE_EMAIL = fail(
  'A customer with the same email address already exists in an associated website.',
);

/** Positional message (Magento: `"%1"` with parameters ["name"]), filled in. */
export const emptyAttribute = (code: string): ErrorBody =>
  fail(`The "${code}" attribute value is empty. Set the attribute and try again.`);

export const unauthorized = (resource: string): ErrorBody =>
  fail("The consumer isn't authorized to access %resources.", { resources: resource });

export const BAD_LOGIN = fail(
  'The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.',
);

/** NoSuchEntityException of the sales repositories (orders, shipments, invoices). */
export const NO_SUCH_ENTITY = fail(
  "The entity that was requested doesn't exist. Verify the entity and try again.",
);

/** DocumentValidationException of ShipOrder, InvoiceOrder and RefundOrder: a heading, then one line per problem. */
export const documentInvalid = (
  document: 'Shipment' | 'Invoice' | 'Creditmemo',
  problems: readonly string[],
): ErrorBody => fail(`${document} Document Validation Error(s):\n${problems.join('\n')}`);
