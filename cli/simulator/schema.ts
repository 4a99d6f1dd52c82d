// The part of the Admin GraphQL schema (2026-10) that Rapport uses, written from shopify.dev's
// reference: the same type, field, argument and enum names, so a query that works here is a
// query Shopify accepts (validation is graphql-js's). Connections follow Shopify's pagination
// (edges/node/cursor, pageInfo, first/after/last/before, query, sortKey, reverse).
import { buildSchema, type GraphQLSchema } from "graphql";

export const SDL = /* GraphQL */ `
  scalar DateTime
  scalar URL
  scalar UnsignedInt64
  scalar Decimal
  scalar Money

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  type Count {
    count: Int!
    precision: CountPrecision!
  }
  enum CountPrecision {
    EXACT
    AT_LEAST
  }

  type MoneyV2 {
    amount: Decimal!
    currencyCode: CurrencyCode!
  }
  type MoneyBag {
    shopMoney: MoneyV2!
    presentmentMoney: MoneyV2!
  }
  enum CurrencyCode {
    EUR
    USD
    GBP
    CAD
  }

  type Shop {
    id: ID!
    name: String!
    myshopifyDomain: String!
    currencyCode: CurrencyCode!
    ianaTimezone: String!
    billingAddress: ShopAddress!
  }
  type ShopAddress {
    countryCodeV2: String
  }

  type MailingAddress {
    firstName: String
    lastName: String
    address1: String
    city: String
    zip: String
    province: String
    country: String
    countryCodeV2: String
    phone: String
  }

  enum CustomerState {
    DECLINED
    DISABLED
    ENABLED
    INVITED
  }
  enum CustomerEmailAddressMarketingState {
    INVALID
    NOT_SUBSCRIBED
    PENDING
    SUBSCRIBED
    UNSUBSCRIBED
  }
  enum CustomerSmsMarketingState {
    NOT_SUBSCRIBED
    PENDING
    REDACTED
    SUBSCRIBED
    UNSUBSCRIBED
  }
  type CustomerEmailAddress {
    emailAddress: String!
    marketingState: CustomerEmailAddressMarketingState!
  }
  type CustomerPhoneNumber {
    phoneNumber: String!
    marketingState: CustomerSmsMarketingState!
  }

  type Metafield {
    id: ID!
    ownerType: MetafieldOwnerType!
    namespace: String!
    key: String!
    type: String!
    value: String!
    updatedAt: DateTime!
  }
  type MetafieldEdge {
    cursor: String!
    node: Metafield!
  }
  type MetafieldConnection {
    edges: [MetafieldEdge!]!
    nodes: [Metafield!]!
    pageInfo: PageInfo!
  }

  type Customer {
    id: ID!
    firstName: String
    lastName: String
    displayName: String!
    note: String
    state: CustomerState!
    locale: String
    tags: [String!]!
    createdAt: DateTime!
    updatedAt: DateTime!
    defaultEmailAddress: CustomerEmailAddress
    defaultPhoneNumber: CustomerPhoneNumber
    defaultAddress: MailingAddress
    metafield(namespace: String, key: String!): Metafield
    metafields(first: Int, after: String, last: Int, before: String, namespace: String, keys: [String!]): MetafieldConnection!
  }
  type CustomerEdge {
    cursor: String!
    node: Customer!
  }
  type CustomerConnection {
    edges: [CustomerEdge!]!
    nodes: [Customer!]!
    pageInfo: PageInfo!
  }
  enum CustomerSortKeys {
    CREATED_AT
    ID
    NAME
    RELEVANCE
    UPDATED_AT
  }

  enum ProductStatus {
    ACTIVE
    ARCHIVED
    DRAFT
  }
  enum ProductVariantInventoryPolicy {
    CONTINUE
    DENY
  }
  type InventoryItem {
    tracked: Boolean!
  }
  type ProductVariant {
    id: ID!
    price: Money!
    inventoryQuantity: Int
    inventoryPolicy: ProductVariantInventoryPolicy!
    inventoryItem: InventoryItem!
  }
  type ProductVariantEdge {
    cursor: String!
    node: ProductVariant!
  }
  type ProductVariantConnection {
    edges: [ProductVariantEdge!]!
    nodes: [ProductVariant!]!
    pageInfo: PageInfo!
  }
  type Image {
    url: URL!
  }
  type MediaPreviewImage {
    image: Image
  }
  type Media {
    preview: MediaPreviewImage
  }
  type Product {
    id: ID!
    title: String!
    handle: String!
    status: ProductStatus!
    productType: String!
    vendor: String!
    tags: [String!]!
    createdAt: DateTime!
    updatedAt: DateTime!
    publishedAt: DateTime
    featuredMedia: Media
    variants(first: Int, after: String, last: Int, before: String): ProductVariantConnection!
  }
  type ProductEdge {
    cursor: String!
    node: Product!
  }
  type ProductConnection {
    edges: [ProductEdge!]!
    nodes: [Product!]!
    pageInfo: PageInfo!
  }
  enum ProductSortKeys {
    CREATED_AT
    ID
    TITLE
    UPDATED_AT
  }

  enum OrderCancelReason {
    CUSTOMER
    DECLINED
    FRAUD
    INVENTORY
    OTHER
    STAFF
  }
  enum OrderDisplayFinancialStatus {
    AUTHORIZED
    EXPIRED
    PAID
    PARTIALLY_PAID
    PARTIALLY_REFUNDED
    PENDING
    REFUNDED
    VOIDED
  }
  enum OrderDisplayFulfillmentStatus {
    FULFILLED
    IN_PROGRESS
    ON_HOLD
    OPEN
    PARTIALLY_FULFILLED
    PENDING_FULFILLMENT
    REQUEST_DECLINED
    RESTOCKED
    SCHEDULED
    UNFULFILLED
  }
  enum RefundLineItemRestockType {
    CANCEL
    LEGACY_RESTOCK
    NO_RESTOCK
    RETURN
  }
  type LineItemProductRef {
    id: ID!
  }
  type LineItem {
    id: ID!
    title: String!
    name: String!
    variantTitle: String
    sku: String
    vendor: String
    quantity: Int!
    product: Product
    variant: ProductVariant
    originalUnitPriceSet: MoneyBag!
    totalDiscountSet: MoneyBag!
  }
  type LineItemEdge {
    cursor: String!
    node: LineItem!
  }
  type LineItemConnection {
    edges: [LineItemEdge!]!
    nodes: [LineItem!]!
    pageInfo: PageInfo!
  }
  type RefundLineItem {
    id: ID!
    quantity: Int!
    restockType: RefundLineItemRestockType!
    lineItem: LineItem!
    subtotalSet: MoneyBag!
  }
  type RefundLineItemEdge {
    cursor: String!
    node: RefundLineItem!
  }
  type RefundLineItemConnection {
    edges: [RefundLineItemEdge!]!
    nodes: [RefundLineItem!]!
    pageInfo: PageInfo!
  }
  type Refund {
    id: ID!
    createdAt: DateTime
    totalRefundedSet: MoneyBag!
    refundLineItems(first: Int, after: String, last: Int, before: String): RefundLineItemConnection!
  }
  type Order {
    id: ID!
    name: String!
    email: String
    phone: String
    note: String
    createdAt: DateTime!
    processedAt: DateTime!
    updatedAt: DateTime!
    cancelledAt: DateTime
    cancelReason: OrderCancelReason
    displayFinancialStatus: OrderDisplayFinancialStatus
    displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
    currencyCode: CurrencyCode!
    presentmentCurrencyCode: CurrencyCode!
    totalPriceSet: MoneyBag!
    subtotalPriceSet: MoneyBag
    totalDiscountsSet: MoneyBag
    totalTaxSet: MoneyBag
    totalShippingPriceSet: MoneyBag!
    sourceName: String
    test: Boolean!
    tags: [String!]!
    customerLocale: String
    discountCodes: [String!]!
    customer: Customer
    shippingAddress: MailingAddress
    billingAddress: MailingAddress
    refunds(first: Int): [Refund!]!
    lineItems(first: Int, after: String, last: Int, before: String): LineItemConnection!
  }
  type OrderEdge {
    cursor: String!
    node: Order!
  }
  type OrderConnection {
    edges: [OrderEdge!]!
    nodes: [Order!]!
    pageInfo: PageInfo!
  }
  enum OrderSortKeys {
    CREATED_AT
    ID
    PROCESSED_AT
    UPDATED_AT
  }

  enum BulkOperationStatus {
    CANCELED
    CANCELING
    COMPLETED
    CREATED
    EXPIRED
    FAILED
    RUNNING
  }
  enum BulkOperationErrorCode {
    ACCESS_DENIED
    INTERNAL_SERVER_ERROR
    TIMEOUT
  }
  enum BulkOperationType {
    MUTATION
    QUERY
  }
  type BulkOperation {
    id: ID!
    status: BulkOperationStatus!
    errorCode: BulkOperationErrorCode
    createdAt: DateTime!
    completedAt: DateTime
    objectCount: UnsignedInt64!
    rootObjectCount: UnsignedInt64!
    fileSize: UnsignedInt64
    url: URL
    partialDataUrl: URL
    query: String!
    type: BulkOperationType!
  }
  enum BulkOperationUserErrorCode {
    INVALID
    OPERATION_IN_PROGRESS
    LIMIT_REACHED
  }
  type BulkOperationUserError {
    field: [String!]
    message: String!
    code: BulkOperationUserErrorCode
  }
  type BulkOperationRunQueryPayload {
    bulkOperation: BulkOperation
    userErrors: [BulkOperationUserError!]!
  }
  type BulkOperationCancelPayload {
    bulkOperation: BulkOperation
    userErrors: [UserError!]!
  }

  type UserError {
    field: [String!]
    message: String!
  }
  interface Node {
    id: ID!
  }
  type TagsNode implements Node {
    id: ID!
  }
  type TagsAddPayload {
    node: TagsNode
    userErrors: [UserError!]!
  }
  type TagsRemovePayload {
    node: TagsNode
    userErrors: [UserError!]!
  }

  enum MetafieldOwnerType {
    CUSTOMER
    ORDER
    PRODUCT
  }
  input MetafieldsSetInput {
    ownerId: ID!
    namespace: String
    key: String!
    type: String
    value: String!
    compareDigest: String
  }
  enum MetafieldsSetUserErrorCode {
    BLANK
    INVALID_TYPE
    INVALID_VALUE
    LESS_THAN_OR_EQUAL_TO
    PRESENT
    TOO_LONG
    INVALID
  }
  type MetafieldsSetUserError {
    field: [String!]
    message: String!
    code: MetafieldsSetUserErrorCode
    elementIndex: Int
  }
  type MetafieldsSetPayload {
    metafields: [Metafield!]
    userErrors: [MetafieldsSetUserError!]!
  }

  input MetafieldAccessInput {
    admin: MetafieldAdminAccessInput
  }
  enum MetafieldAdminAccessInput {
    MERCHANT_READ
    MERCHANT_READ_WRITE
  }
  input MetafieldDefinitionInput {
    name: String!
    namespace: String
    key: String!
    description: String
    type: String!
    ownerType: MetafieldOwnerType!
    access: MetafieldAccessInput
  }
  type MetafieldDefinition {
    id: ID!
    name: String!
    namespace: String!
    key: String!
    type: MetafieldDefinitionType!
    ownerType: MetafieldOwnerType!
  }
  type MetafieldDefinitionType {
    name: String!
  }
  type MetafieldDefinitionEdge {
    cursor: String!
    node: MetafieldDefinition!
  }
  type MetafieldDefinitionConnection {
    edges: [MetafieldDefinitionEdge!]!
    nodes: [MetafieldDefinition!]!
    pageInfo: PageInfo!
  }
  enum MetafieldDefinitionCreateUserErrorCode {
    INVALID
    TAKEN
    INCLUSION
    PRESENT
  }
  type MetafieldDefinitionCreateUserError {
    field: [String!]
    message: String!
    code: MetafieldDefinitionCreateUserErrorCode
  }
  type MetafieldDefinitionCreatePayload {
    createdDefinition: MetafieldDefinition
    userErrors: [MetafieldDefinitionCreateUserError!]!
  }

  enum WebhookSubscriptionTopic {
    APP_UNINSTALLED
    APP_SCOPES_UPDATE
    CHECKOUTS_CREATE
    CHECKOUTS_UPDATE
    CUSTOMERS_CREATE
    CUSTOMERS_DELETE
    CUSTOMERS_UPDATE
    ORDERS_CANCELLED
    ORDERS_CREATE
    ORDERS_DELETE
    ORDERS_PAID
    ORDERS_UPDATED
    PRODUCTS_CREATE
    PRODUCTS_DELETE
    PRODUCTS_UPDATE
    REFUNDS_CREATE
    SHOP_UPDATE
  }
  enum WebhookSubscriptionFormat {
    JSON
    XML
  }
  type WebhookHttpEndpoint {
    callbackUrl: URL!
  }
  type WebhookEventBridgeEndpoint {
    arn: String!
  }
  type WebhookPubSubEndpoint {
    pubSubProject: String!
    pubSubTopic: String!
  }
  union WebhookSubscriptionEndpoint = WebhookHttpEndpoint | WebhookEventBridgeEndpoint | WebhookPubSubEndpoint
  type WebhookSubscription {
    id: ID!
    topic: WebhookSubscriptionTopic!
    uri: String!
    endpoint: WebhookSubscriptionEndpoint!
    format: WebhookSubscriptionFormat!
    apiVersion: ApiVersion!
    includeFields: [String!]!
    metafieldNamespaces: [String!]!
    filter: String
    createdAt: DateTime!
    updatedAt: DateTime!
  }
  type ApiVersion {
    handle: String!
    displayName: String!
    supported: Boolean!
  }
  type WebhookSubscriptionEdge {
    cursor: String!
    node: WebhookSubscription!
  }
  type WebhookSubscriptionConnection {
    edges: [WebhookSubscriptionEdge!]!
    nodes: [WebhookSubscription!]!
    pageInfo: PageInfo!
  }
  enum WebhookSubscriptionSortKeys {
    CREATED_AT
    ID
    RELEVANCE
  }

  type AccessScope {
    handle: String!
  }
  type AppInstallation {
    accessScopes: [AccessScope!]!
  }

  type Query {
    shop: Shop!
    currentAppInstallation: AppInstallation!
    customer(id: ID!): Customer
    product(id: ID!): Product
    order(id: ID!): Order
    customers(
      first: Int
      after: String
      last: Int
      before: String
      query: String
      sortKey: CustomerSortKeys = ID
      reverse: Boolean = false
    ): CustomerConnection!
    products(
      first: Int
      after: String
      last: Int
      before: String
      query: String
      sortKey: ProductSortKeys = ID
      reverse: Boolean = false
    ): ProductConnection!
    orders(
      first: Int
      after: String
      last: Int
      before: String
      query: String
      sortKey: OrderSortKeys = PROCESSED_AT
      reverse: Boolean = false
    ): OrderConnection!
    customersCount(query: String, limit: Int = 10000): Count
    productsCount(query: String, limit: Int = 10000): Count
    ordersCount(query: String, limit: Int = 10000): Count
    bulkOperation(id: ID!): BulkOperation
    currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation
    metafieldDefinitions(first: Int, after: String, ownerType: MetafieldOwnerType!, namespace: String): MetafieldDefinitionConnection!
    webhookSubscriptions(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean = false
      sortKey: WebhookSubscriptionSortKeys = CREATED_AT
      topics: [WebhookSubscriptionTopic!]
      format: WebhookSubscriptionFormat
      uri: String
      query: String
    ): WebhookSubscriptionConnection!
  }

  type Mutation {
    bulkOperationRunQuery(query: String!, groupObjects: Boolean! = false): BulkOperationRunQueryPayload
    bulkOperationCancel(id: ID!): BulkOperationCancelPayload
    tagsAdd(id: ID!, tags: [String!]!): TagsAddPayload
    tagsRemove(id: ID!, tags: [String!]!): TagsRemovePayload
    metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
    metafieldDefinitionCreate(definition: MetafieldDefinitionInput!): MetafieldDefinitionCreatePayload
  }
`;

let cached: GraphQLSchema | undefined;
export function adminSchema(): GraphQLSchema {
  cached ??= buildSchema(SDL);
  return cached;
}
