/**
 * Every GraphQL document Ledgerlink sends to Vendure's Admin API, in one place so that a unit test
 * can check each against the published schema (specs/vendure/schema-admin.json, with the two custom
 * fields the shop declares). Selections are shared as text rather than named fragments: each
 * document stands alone in the connector log.
 */

/** Every union answer may be one of Vendure's ErrorResults instead of the record. */
const ERROR_RESULT = '... on ErrorResult { errorCode message }';

const ADDRESS = `id fullName company streetLine1 streetLine2 city province postalCode country { code }
  phoneNumber defaultShippingAddress defaultBillingAddress`;

const CUSTOMER = `id updatedAt title firstName lastName phoneNumber emailAddress
  customFields { erpCustomerNumber } addresses { ${ADDRESS} }`;

const VARIANT = `id updatedAt sku name enabled price currencyCode stockOnHand
  stockLevels { stockOnHand stockAllocated stockLocation { id name } }
  product { id name description enabled }`;

const ORDER_ADDRESS =
  'fullName company streetLine1 streetLine2 city province postalCode countryCode phoneNumber';

const PAYMENT = 'id method amount state transactionId refunds { total state }';

const FULFILLMENT = 'id state method trackingCode lines { orderLineId quantity }';

const ORDER = `id code state active createdAt updatedAt orderPlacedAt currencyCode
  customer { id emailAddress firstName lastName }
  shippingAddress { ${ORDER_ADDRESS} } billingAddress { ${ORDER_ADDRESS} }
  lines { id quantity unitPrice linePrice proratedLinePrice proratedLinePriceWithTax taxRate
    productVariant { id sku name } }
  shippingLines { shippingMethod { code name } }
  shipping shippingWithTax total totalWithTax
  taxSummary { description taxRate taxBase taxTotal }
  payments { ${PAYMENT} } fulfillments { ${FULFILLMENT} }
  customFields { erpNumber }`;

export const LOGIN = `mutation Login($username: String!, $password: String!) {
  login(username: $username, password: $password) {
    __typename
    ... on CurrentUser { id identifier }
    ${ERROR_RESULT}
  }
}`;

/** The channel's currency and language, the server's money precision, order process and custom fields. */
export const SHOP_FACTS = `query ShopFacts {
  activeChannel { code defaultCurrencyCode defaultLanguageCode pricesIncludeTax }
  globalSettings {
    serverConfig {
      moneyStrategyPrecision
      orderProcess { name to }
      entityCustomFields { entityName customFields { ... on CustomField { name } } }
    }
  }
}`;

export const CUSTOMERS = `query Customers($options: CustomerListOptions) {
  customers(options: $options) { totalItems items { ${CUSTOMER} } }
}`;

export const CREATE_CUSTOMER = `mutation CreateCustomer($input: CreateCustomerInput!) {
  createCustomer(input: $input) { __typename ... on Customer { ${CUSTOMER} } ${ERROR_RESULT} }
}`;

export const UPDATE_CUSTOMER = `mutation UpdateCustomer($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) { __typename ... on Customer { ${CUSTOMER} } ${ERROR_RESULT} }
}`;

export const CREATE_CUSTOMER_ADDRESS = `mutation CreateCustomerAddress($customerId: ID!, $input: CreateAddressInput!) {
  createCustomerAddress(customerId: $customerId, input: $input) { id }
}`;

export const PRODUCT_VARIANTS = `query ProductVariants($options: ProductVariantListOptions) {
  productVariants(options: $options) { totalItems items { ${VARIANT} } }
}`;

export const CREATE_PRODUCT = `mutation CreateProduct($input: CreateProductInput!) {
  createProduct(input: $input) { id }
}`;

export const DELETE_PRODUCT = `mutation DeleteProduct($id: ID!) {
  deleteProduct(id: $id) { result message }
}`;

export const CREATE_PRODUCT_VARIANTS = `mutation CreateProductVariants($input: [CreateProductVariantInput!]!) {
  createProductVariants(input: $input) { ${VARIANT} }
}`;

export const UPDATE_PRODUCT_VARIANTS = `mutation UpdateProductVariants($input: [UpdateProductVariantInput!]!) {
  updateProductVariants(input: $input) { ${VARIANT} }
}`;

export const ORDERS = `query Orders($options: OrderListOptions) {
  orders(options: $options) { totalItems items { ${ORDER} } }
}`;

export const ORDER_NOTES = `query OrderNotes($id: ID!) {
  order(id: $id) {
    id state customFields { erpNumber }
    history(options: { filter: { type: { eq: "ORDER_NOTE" } }, take: 100 }) { items { data } }
  }
}`;

export const SET_ORDER_CUSTOM_FIELDS = `mutation SetOrderCustomFields($input: UpdateOrderInput!) {
  setOrderCustomFields(input: $input) { id customFields { erpNumber } }
}`;

export const ADD_NOTE_TO_ORDER = `mutation AddNoteToOrder($input: AddNoteToOrderInput!) {
  addNoteToOrder(input: $input) { id }
}`;

export const ADD_FULFILLMENT_TO_ORDER = `mutation AddFulfillmentToOrder($input: FulfillOrderInput!) {
  addFulfillmentToOrder(input: $input) {
    __typename
    ... on Fulfillment { ${FULFILLMENT} }
    ${ERROR_RESULT}
    ... on InsufficientStockOnHandError { productVariantName stockOnHand }
    ... on FulfillmentStateTransitionError { transitionError }
    ... on CreateFulfillmentError { fulfillmentHandlerError }
  }
}`;

export const TRANSITION_FULFILLMENT = `mutation TransitionFulfillmentToState($id: ID!, $state: String!) {
  transitionFulfillmentToState(id: $id, state: $state) {
    __typename
    ... on Fulfillment { ${FULFILLMENT} }
    ${ERROR_RESULT}
    ... on FulfillmentStateTransitionError { transitionError }
  }
}`;

export const ADD_MANUAL_PAYMENT = `mutation AddManualPaymentToOrder($input: ManualPaymentInput!) {
  addManualPaymentToOrder(input: $input) {
    __typename
    ... on Order { id state payments { ${PAYMENT} } }
    ${ERROR_RESULT}
  }
}`;

/** Every document by name, for the schema test. */
export const DOCUMENTS: Readonly<Record<string, string>> = {
  LOGIN,
  SHOP_FACTS,
  CUSTOMERS,
  CREATE_CUSTOMER,
  UPDATE_CUSTOMER,
  CREATE_CUSTOMER_ADDRESS,
  PRODUCT_VARIANTS,
  CREATE_PRODUCT,
  DELETE_PRODUCT,
  CREATE_PRODUCT_VARIANTS,
  UPDATE_PRODUCT_VARIANTS,
  ORDERS,
  ORDER_NOTES,
  SET_ORDER_CUSTOM_FIELDS,
  ADD_NOTE_TO_ORDER,
  ADD_FULFILLMENT_TO_ORDER,
  TRANSITION_FULFILLMENT,
  ADD_MANUAL_PAYMENT,
};
