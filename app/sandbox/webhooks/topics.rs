//! Shopify's webhook topics: the `WebhookSubscriptionTopic` enum of Admin API 2026-04 and the
//! REST-style name (`orders/create`) each delivers under in `X-Shopify-Topic`.

/// Topics no subscription can choose: Shopify sends them to the URLs in `shopify.app.toml`.
pub const COMPLIANCE_TOPICS: [&str; 3] =
    ["customers/data_request", "customers/redact", "shop/redact"];

macro_rules! topics {
    ($($variant:ident = $gql:literal => $rest:literal,)*) => {
        /// The type of event that triggers a webhook (every value of the 2026-04 enum).
        #[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug, Hash)]
        #[graphql(name = "WebhookSubscriptionTopic")]
        pub enum WebhookSubscriptionTopic {
            $(#[graphql(name = $gql)] $variant,)*
        }

        impl WebhookSubscriptionTopic {
            /// The name used in `X-Shopify-Topic`, e.g. `orders/create`.
            pub fn rest_name(self) -> &'static str {
                match self { $(Self::$variant => $rest,)* }
            }

            /// The GraphQL enum value, e.g. `ORDERS_CREATE`.
            pub fn graphql_name(self) -> &'static str {
                match self { $(Self::$variant => $gql,)* }
            }

            /// Looks a topic up by its REST name or its enum value.
            pub fn parse(name: &str) -> Option<Self> {
                match name {
                    $($rest | $gql => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

topics! {
    TaxSummariesCreate = "TAX_SUMMARIES_CREATE" => "tax_summaries/create",
    AppUninstalled = "APP_UNINSTALLED" => "app/uninstalled",
    AppScopesUpdate = "APP_SCOPES_UPDATE" => "app/scopes_update",
    CartsCreate = "CARTS_CREATE" => "carts/create",
    CartsUpdate = "CARTS_UPDATE" => "carts/update",
    ChannelsDelete = "CHANNELS_DELETE" => "channels/delete",
    CheckoutsCreate = "CHECKOUTS_CREATE" => "checkouts/create",
    CheckoutsDelete = "CHECKOUTS_DELETE" => "checkouts/delete",
    CheckoutsUpdate = "CHECKOUTS_UPDATE" => "checkouts/update",
    CustomerPaymentMethodsCreate = "CUSTOMER_PAYMENT_METHODS_CREATE" => "customer_payment_methods/create",
    CustomerPaymentMethodsUpdate = "CUSTOMER_PAYMENT_METHODS_UPDATE" => "customer_payment_methods/update",
    CustomerPaymentMethodsRevoke = "CUSTOMER_PAYMENT_METHODS_REVOKE" => "customer_payment_methods/revoke",
    CollectionListingsAdd = "COLLECTION_LISTINGS_ADD" => "collection_listings/add",
    CollectionListingsRemove = "COLLECTION_LISTINGS_REMOVE" => "collection_listings/remove",
    CollectionListingsUpdate = "COLLECTION_LISTINGS_UPDATE" => "collection_listings/update",
    CollectionPublicationsCreate = "COLLECTION_PUBLICATIONS_CREATE" => "collection_publications/create",
    CollectionPublicationsDelete = "COLLECTION_PUBLICATIONS_DELETE" => "collection_publications/delete",
    CollectionPublicationsUpdate = "COLLECTION_PUBLICATIONS_UPDATE" => "collection_publications/update",
    CollectionsCreate = "COLLECTIONS_CREATE" => "collections/create",
    CollectionsDelete = "COLLECTIONS_DELETE" => "collections/delete",
    CollectionsUpdate = "COLLECTIONS_UPDATE" => "collections/update",
    CustomerGroupsCreate = "CUSTOMER_GROUPS_CREATE" => "customer_groups/create",
    CustomerGroupsDelete = "CUSTOMER_GROUPS_DELETE" => "customer_groups/delete",
    CustomerGroupsUpdate = "CUSTOMER_GROUPS_UPDATE" => "customer_groups/update",
    CustomersCreate = "CUSTOMERS_CREATE" => "customers/create",
    CustomersDelete = "CUSTOMERS_DELETE" => "customers/delete",
    CustomersDisable = "CUSTOMERS_DISABLE" => "customers/disable",
    CustomersEnable = "CUSTOMERS_ENABLE" => "customers/enable",
    CustomersUpdate = "CUSTOMERS_UPDATE" => "customers/update",
    CustomersPurchasingSummary = "CUSTOMERS_PURCHASING_SUMMARY" => "customers/purchasing_summary",
    CustomersMarketingConsentUpdate = "CUSTOMERS_MARKETING_CONSENT_UPDATE" => "customers_marketing_consent/update",
    CustomerTagsAdded = "CUSTOMER_TAGS_ADDED" => "customer.tags_added",
    CustomerTagsRemoved = "CUSTOMER_TAGS_REMOVED" => "customer.tags_removed",
    CustomersEmailMarketingConsentUpdate = "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE" => "customers_email_marketing_consent/update",
    DisputesCreate = "DISPUTES_CREATE" => "disputes/create",
    DisputesUpdate = "DISPUTES_UPDATE" => "disputes/update",
    DraftOrdersCreate = "DRAFT_ORDERS_CREATE" => "draft_orders/create",
    DraftOrdersDelete = "DRAFT_ORDERS_DELETE" => "draft_orders/delete",
    DraftOrdersUpdate = "DRAFT_ORDERS_UPDATE" => "draft_orders/update",
    FulfillmentEventsCreate = "FULFILLMENT_EVENTS_CREATE" => "fulfillment_events/create",
    FulfillmentEventsDelete = "FULFILLMENT_EVENTS_DELETE" => "fulfillment_events/delete",
    FulfillmentsCreate = "FULFILLMENTS_CREATE" => "fulfillments/create",
    FulfillmentsUpdate = "FULFILLMENTS_UPDATE" => "fulfillments/update",
    AttributedSessionsFirst = "ATTRIBUTED_SESSIONS_FIRST" => "attributed_sessions/first",
    AttributedSessionsLast = "ATTRIBUTED_SESSIONS_LAST" => "attributed_sessions/last",
    OrderTransactionsCreate = "ORDER_TRANSACTIONS_CREATE" => "order_transactions/create",
    OrdersCancelled = "ORDERS_CANCELLED" => "orders/cancelled",
    OrdersCreate = "ORDERS_CREATE" => "orders/create",
    OrdersDelete = "ORDERS_DELETE" => "orders/delete",
    OrdersEdited = "ORDERS_EDITED" => "orders/edited",
    OrdersFulfilled = "ORDERS_FULFILLED" => "orders/fulfilled",
    OrdersPaid = "ORDERS_PAID" => "orders/paid",
    OrdersPartiallyFulfilled = "ORDERS_PARTIALLY_FULFILLED" => "orders/partially_fulfilled",
    OrdersUpdated = "ORDERS_UPDATED" => "orders/updated",
    OrdersLinkRequested = "ORDERS_LINK_REQUESTED" => "orders/link_requested",
    FulfillmentOrdersMoved = "FULFILLMENT_ORDERS_MOVED" => "fulfillment_orders/moved",
    FulfillmentOrdersHoldReleased = "FULFILLMENT_ORDERS_HOLD_RELEASED" => "fulfillment_orders/hold_released",
    FulfillmentOrdersScheduledFulfillmentOrderReady = "FULFILLMENT_ORDERS_SCHEDULED_FULFILLMENT_ORDER_READY" => "fulfillment_orders/scheduled_fulfillment_order_ready",
    FulfillmentHoldsReleased = "FULFILLMENT_HOLDS_RELEASED" => "fulfillment_holds/released",
    FulfillmentOrdersOrderRoutingComplete = "FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE" => "fulfillment_orders/order_routing_complete",
    FulfillmentOrdersCancelled = "FULFILLMENT_ORDERS_CANCELLED" => "fulfillment_orders/cancelled",
    FulfillmentOrdersFulfillmentServiceFailedToComplete = "FULFILLMENT_ORDERS_FULFILLMENT_SERVICE_FAILED_TO_COMPLETE" => "fulfillment_orders/fulfillment_service_failed_to_complete",
    FulfillmentOrdersFulfillmentRequestRejected = "FULFILLMENT_ORDERS_FULFILLMENT_REQUEST_REJECTED" => "fulfillment_orders/fulfillment_request_rejected",
    FulfillmentOrdersCancellationRequestSubmitted = "FULFILLMENT_ORDERS_CANCELLATION_REQUEST_SUBMITTED" => "fulfillment_orders/cancellation_request_submitted",
    FulfillmentOrdersCancellationRequestAccepted = "FULFILLMENT_ORDERS_CANCELLATION_REQUEST_ACCEPTED" => "fulfillment_orders/cancellation_request_accepted",
    FulfillmentOrdersCancellationRequestRejected = "FULFILLMENT_ORDERS_CANCELLATION_REQUEST_REJECTED" => "fulfillment_orders/cancellation_request_rejected",
    FulfillmentOrdersFulfillmentRequestSubmitted = "FULFILLMENT_ORDERS_FULFILLMENT_REQUEST_SUBMITTED" => "fulfillment_orders/fulfillment_request_submitted",
    FulfillmentOrdersFulfillmentRequestAccepted = "FULFILLMENT_ORDERS_FULFILLMENT_REQUEST_ACCEPTED" => "fulfillment_orders/fulfillment_request_accepted",
    FulfillmentHoldsAdded = "FULFILLMENT_HOLDS_ADDED" => "fulfillment_holds/added",
    FulfillmentOrdersLineItemsPreparedForLocalDelivery = "FULFILLMENT_ORDERS_LINE_ITEMS_PREPARED_FOR_LOCAL_DELIVERY" => "fulfillment_orders/line_items_prepared_for_local_delivery",
    FulfillmentOrdersPlacedOnHold = "FULFILLMENT_ORDERS_PLACED_ON_HOLD" => "fulfillment_orders/placed_on_hold",
    FulfillmentOrdersMerged = "FULFILLMENT_ORDERS_MERGED" => "fulfillment_orders/merged",
    FulfillmentOrdersSplit = "FULFILLMENT_ORDERS_SPLIT" => "fulfillment_orders/split",
    FulfillmentOrdersProgressReported = "FULFILLMENT_ORDERS_PROGRESS_REPORTED" => "fulfillment_orders/progress_reported",
    FulfillmentOrdersManuallyReportedProgressStopped = "FULFILLMENT_ORDERS_MANUALLY_REPORTED_PROGRESS_STOPPED" => "fulfillment_orders/manually_reported_progress_stopped",
    ProductListingsAdd = "PRODUCT_LISTINGS_ADD" => "product_listings/add",
    ProductListingsRemove = "PRODUCT_LISTINGS_REMOVE" => "product_listings/remove",
    ProductListingsUpdate = "PRODUCT_LISTINGS_UPDATE" => "product_listings/update",
    ScheduledProductListingsAdd = "SCHEDULED_PRODUCT_LISTINGS_ADD" => "scheduled_product_listings/add",
    ScheduledProductListingsUpdate = "SCHEDULED_PRODUCT_LISTINGS_UPDATE" => "scheduled_product_listings/update",
    ScheduledProductListingsRemove = "SCHEDULED_PRODUCT_LISTINGS_REMOVE" => "scheduled_product_listings/remove",
    ProductPublicationsCreate = "PRODUCT_PUBLICATIONS_CREATE" => "product_publications/create",
    ProductPublicationsDelete = "PRODUCT_PUBLICATIONS_DELETE" => "product_publications/delete",
    ProductPublicationsUpdate = "PRODUCT_PUBLICATIONS_UPDATE" => "product_publications/update",
    ProductsCreate = "PRODUCTS_CREATE" => "products/create",
    ProductsDelete = "PRODUCTS_DELETE" => "products/delete",
    ProductsUpdate = "PRODUCTS_UPDATE" => "products/update",
    RefundsCreate = "REFUNDS_CREATE" => "refunds/create",
    SegmentsCreate = "SEGMENTS_CREATE" => "segments/create",
    SegmentsDelete = "SEGMENTS_DELETE" => "segments/delete",
    SegmentsUpdate = "SEGMENTS_UPDATE" => "segments/update",
    ShippingAddressesCreate = "SHIPPING_ADDRESSES_CREATE" => "shipping_addresses/create",
    ShippingAddressesUpdate = "SHIPPING_ADDRESSES_UPDATE" => "shipping_addresses/update",
    ShopUpdate = "SHOP_UPDATE" => "shop/update",
    TaxPartnersUpdate = "TAX_PARTNERS_UPDATE" => "tax_partners/update",
    TaxServicesCreate = "TAX_SERVICES_CREATE" => "tax_services/create",
    TaxServicesUpdate = "TAX_SERVICES_UPDATE" => "tax_services/update",
    ThemesCreate = "THEMES_CREATE" => "themes/create",
    ThemesDelete = "THEMES_DELETE" => "themes/delete",
    ThemesPublish = "THEMES_PUBLISH" => "themes/publish",
    ThemesUpdate = "THEMES_UPDATE" => "themes/update",
    VariantsInStock = "VARIANTS_IN_STOCK" => "variants/in_stock",
    VariantsOutOfStock = "VARIANTS_OUT_OF_STOCK" => "variants/out_of_stock",
    InventoryLevelsConnect = "INVENTORY_LEVELS_CONNECT" => "inventory_levels/connect",
    InventoryLevelsUpdate = "INVENTORY_LEVELS_UPDATE" => "inventory_levels/update",
    InventoryLevelsDisconnect = "INVENTORY_LEVELS_DISCONNECT" => "inventory_levels/disconnect",
    InventoryItemsCreate = "INVENTORY_ITEMS_CREATE" => "inventory_items/create",
    InventoryItemsUpdate = "INVENTORY_ITEMS_UPDATE" => "inventory_items/update",
    InventoryItemsDelete = "INVENTORY_ITEMS_DELETE" => "inventory_items/delete",
    LocationsActivate = "LOCATIONS_ACTIVATE" => "locations/activate",
    LocationsDeactivate = "LOCATIONS_DEACTIVATE" => "locations/deactivate",
    LocationsCreate = "LOCATIONS_CREATE" => "locations/create",
    LocationsUpdate = "LOCATIONS_UPDATE" => "locations/update",
    LocationsDelete = "LOCATIONS_DELETE" => "locations/delete",
    TenderTransactionsCreate = "TENDER_TRANSACTIONS_CREATE" => "tender_transactions/create",
    AppPurchasesOneTimeUpdate = "APP_PURCHASES_ONE_TIME_UPDATE" => "app_purchases_one_time/update",
    AppSubscriptionsApproachingCappedAmount = "APP_SUBSCRIPTIONS_APPROACHING_CAPPED_AMOUNT" => "app_subscriptions/approaching_capped_amount",
    AppSubscriptionsUpdate = "APP_SUBSCRIPTIONS_UPDATE" => "app_subscriptions/update",
    LocalesCreate = "LOCALES_CREATE" => "locales/create",
    LocalesUpdate = "LOCALES_UPDATE" => "locales/update",
    LocalesDestroy = "LOCALES_DESTROY" => "locales/destroy",
    MachineTranslationBatchCompleted = "MACHINE_TRANSLATION_BATCH_COMPLETED" => "machine_translation/batch_completed",
    DomainsCreate = "DOMAINS_CREATE" => "domains/create",
    DomainsUpdate = "DOMAINS_UPDATE" => "domains/update",
    DomainsDestroy = "DOMAINS_DESTROY" => "domains/destroy",
    SubscriptionContractsCreate = "SUBSCRIPTION_CONTRACTS_CREATE" => "subscription_contracts/create",
    SubscriptionContractsUpdate = "SUBSCRIPTION_CONTRACTS_UPDATE" => "subscription_contracts/update",
    SubscriptionBillingCycleEditsCreate = "SUBSCRIPTION_BILLING_CYCLE_EDITS_CREATE" => "subscription_billing_cycle_edits/create",
    SubscriptionBillingCycleEditsUpdate = "SUBSCRIPTION_BILLING_CYCLE_EDITS_UPDATE" => "subscription_billing_cycle_edits/update",
    SubscriptionBillingCycleEditsDelete = "SUBSCRIPTION_BILLING_CYCLE_EDITS_DELETE" => "subscription_billing_cycle_edits/delete",
    ProfilesCreate = "PROFILES_CREATE" => "profiles/create",
    ProfilesUpdate = "PROFILES_UPDATE" => "profiles/update",
    ProfilesDelete = "PROFILES_DELETE" => "profiles/delete",
    SubscriptionBillingAttemptsSuccess = "SUBSCRIPTION_BILLING_ATTEMPTS_SUCCESS" => "subscription_billing_attempts/success",
    SubscriptionBillingAttemptsFailure = "SUBSCRIPTION_BILLING_ATTEMPTS_FAILURE" => "subscription_billing_attempts/failure",
    SubscriptionBillingAttemptsChallenged = "SUBSCRIPTION_BILLING_ATTEMPTS_CHALLENGED" => "subscription_billing_attempts/challenged",
    ReturnsCancel = "RETURNS_CANCEL" => "returns/cancel",
    ReturnsClose = "RETURNS_CLOSE" => "returns/close",
    ReturnsReopen = "RETURNS_REOPEN" => "returns/reopen",
    ReturnsRequest = "RETURNS_REQUEST" => "returns/request",
    ReturnsApprove = "RETURNS_APPROVE" => "returns/approve",
    ReturnsUpdate = "RETURNS_UPDATE" => "returns/update",
    ReturnsProcess = "RETURNS_PROCESS" => "returns/process",
    ReturnsDecline = "RETURNS_DECLINE" => "returns/decline",
    ReverseDeliveriesAttachDeliverable = "REVERSE_DELIVERIES_ATTACH_DELIVERABLE" => "reverse_deliveries/attach_deliverable",
    ReverseFulfillmentOrdersDispose = "REVERSE_FULFILLMENT_ORDERS_DISPOSE" => "reverse_fulfillment_orders/dispose",
    PaymentTermsCreate = "PAYMENT_TERMS_CREATE" => "payment_terms/create",
    PaymentTermsDelete = "PAYMENT_TERMS_DELETE" => "payment_terms/delete",
    PaymentTermsUpdate = "PAYMENT_TERMS_UPDATE" => "payment_terms/update",
    PaymentSchedulesDue = "PAYMENT_SCHEDULES_DUE" => "payment_schedules/due",
    SellingPlanGroupsCreate = "SELLING_PLAN_GROUPS_CREATE" => "selling_plan_groups/create",
    SellingPlanGroupsUpdate = "SELLING_PLAN_GROUPS_UPDATE" => "selling_plan_groups/update",
    SellingPlanGroupsDelete = "SELLING_PLAN_GROUPS_DELETE" => "selling_plan_groups/delete",
    BulkOperationsFinish = "BULK_OPERATIONS_FINISH" => "bulk_operations/finish",
    ProductFeedsCreate = "PRODUCT_FEEDS_CREATE" => "product_feeds/create",
    ProductFeedsUpdate = "PRODUCT_FEEDS_UPDATE" => "product_feeds/update",
    ProductFeedsIncrementalSync = "PRODUCT_FEEDS_INCREMENTAL_SYNC" => "product_feeds/incremental_sync",
    ProductFeedsFullSync = "PRODUCT_FEEDS_FULL_SYNC" => "product_feeds/full_sync",
    ProductFeedsFullSyncFinish = "PRODUCT_FEEDS_FULL_SYNC_FINISH" => "product_feeds/full_sync_finish",
    MarketsCreate = "MARKETS_CREATE" => "markets/create",
    MarketsUpdate = "MARKETS_UPDATE" => "markets/update",
    MarketsDelete = "MARKETS_DELETE" => "markets/delete",
    OrdersRiskAssessmentChanged = "ORDERS_RISK_ASSESSMENT_CHANGED" => "orders/risk_assessment_changed",
    OrdersShopifyProtectEligibilityChanged = "ORDERS_SHOPIFY_PROTECT_ELIGIBILITY_CHANGED" => "orders/shopify_protect_eligibility_changed",
    FinanceKycInformationUpdate = "FINANCE_KYC_INFORMATION_UPDATE" => "finance_kyc_information/update",
    FulfillmentOrdersRescheduled = "FULFILLMENT_ORDERS_RESCHEDULED" => "fulfillment_orders/rescheduled",
    PublicationsDelete = "PUBLICATIONS_DELETE" => "publications/delete",
    AuditEventsAdminApiActivity = "AUDIT_EVENTS_ADMIN_API_ACTIVITY" => "audit_events/admin_api_activity",
    FulfillmentOrdersLineItemsPreparedForPickup = "FULFILLMENT_ORDERS_LINE_ITEMS_PREPARED_FOR_PICKUP" => "fulfillment_orders/line_items_prepared_for_pickup",
    CompaniesCreate = "COMPANIES_CREATE" => "companies/create",
    CompaniesUpdate = "COMPANIES_UPDATE" => "companies/update",
    CompaniesDelete = "COMPANIES_DELETE" => "companies/delete",
    CompanyLocationsCreate = "COMPANY_LOCATIONS_CREATE" => "company_locations/create",
    CompanyLocationsUpdate = "COMPANY_LOCATIONS_UPDATE" => "company_locations/update",
    CompanyLocationsDelete = "COMPANY_LOCATIONS_DELETE" => "company_locations/delete",
    CompanyContactsCreate = "COMPANY_CONTACTS_CREATE" => "company_contacts/create",
    CompanyContactsUpdate = "COMPANY_CONTACTS_UPDATE" => "company_contacts/update",
    CompanyContactsDelete = "COMPANY_CONTACTS_DELETE" => "company_contacts/delete",
    CustomersMerge = "CUSTOMERS_MERGE" => "customers/merge",
    InventoryTransfersAddItems = "INVENTORY_TRANSFERS_ADD_ITEMS" => "inventory_transfers/add_items",
    InventoryTransfersUpdateItemQuantities = "INVENTORY_TRANSFERS_UPDATE_ITEM_QUANTITIES" => "inventory_transfers/update_item_quantities",
    InventoryTransfersRemoveItems = "INVENTORY_TRANSFERS_REMOVE_ITEMS" => "inventory_transfers/remove_items",
    InventoryTransfersReadyToShip = "INVENTORY_TRANSFERS_READY_TO_SHIP" => "inventory_transfers/ready_to_ship",
    InventoryTransfersCancel = "INVENTORY_TRANSFERS_CANCEL" => "inventory_transfers/cancel",
    InventoryTransfersComplete = "INVENTORY_TRANSFERS_COMPLETE" => "inventory_transfers/complete",
    InventoryShipmentsDelete = "INVENTORY_SHIPMENTS_DELETE" => "inventory_shipments/delete",
    InventoryShipmentsCreate = "INVENTORY_SHIPMENTS_CREATE" => "inventory_shipments/create",
    InventoryShipmentsMarkInTransit = "INVENTORY_SHIPMENTS_MARK_IN_TRANSIT" => "inventory_shipments/mark_in_transit",
    InventoryShipmentsUpdateTracking = "INVENTORY_SHIPMENTS_UPDATE_TRACKING" => "inventory_shipments/update_tracking",
    InventoryShipmentsAddItems = "INVENTORY_SHIPMENTS_ADD_ITEMS" => "inventory_shipments/add_items",
    InventoryShipmentsUpdateItemQuantities = "INVENTORY_SHIPMENTS_UPDATE_ITEM_QUANTITIES" => "inventory_shipments/update_item_quantities",
    InventoryShipmentsRemoveItems = "INVENTORY_SHIPMENTS_REMOVE_ITEMS" => "inventory_shipments/remove_items",
    InventoryShipmentsReceiveItems = "INVENTORY_SHIPMENTS_RECEIVE_ITEMS" => "inventory_shipments/receive_items",
    CustomerAccountSettingsUpdate = "CUSTOMER_ACCOUNT_SETTINGS_UPDATE" => "customer_account_settings/update",
    CustomerJoinedSegment = "CUSTOMER_JOINED_SEGMENT" => "customer.joined_segment",
    CustomerLeftSegment = "CUSTOMER_LEFT_SEGMENT" => "customer.left_segment",
    CompanyContactRolesAssign = "COMPANY_CONTACT_ROLES_ASSIGN" => "company_contact_roles/assign",
    CompanyContactRolesRevoke = "COMPANY_CONTACT_ROLES_REVOKE" => "company_contact_roles/revoke",
    SubscriptionContractsActivate = "SUBSCRIPTION_CONTRACTS_ACTIVATE" => "subscription_contracts/activate",
    SubscriptionContractsPause = "SUBSCRIPTION_CONTRACTS_PAUSE" => "subscription_contracts/pause",
    SubscriptionContractsCancel = "SUBSCRIPTION_CONTRACTS_CANCEL" => "subscription_contracts/cancel",
    SubscriptionContractsFail = "SUBSCRIPTION_CONTRACTS_FAIL" => "subscription_contracts/fail",
    SubscriptionContractsExpire = "SUBSCRIPTION_CONTRACTS_EXPIRE" => "subscription_contracts/expire",
    SubscriptionBillingCyclesSkip = "SUBSCRIPTION_BILLING_CYCLES_SKIP" => "subscription_billing_cycles/skip",
    SubscriptionBillingCyclesUnskip = "SUBSCRIPTION_BILLING_CYCLES_UNSKIP" => "subscription_billing_cycles/unskip",
    MetaobjectsCreate = "METAOBJECTS_CREATE" => "metaobjects/create",
    MetaobjectsUpdate = "METAOBJECTS_UPDATE" => "metaobjects/update",
    MetaobjectsDelete = "METAOBJECTS_DELETE" => "metaobjects/delete",
    FinanceAppStaffMemberGrant = "FINANCE_APP_STAFF_MEMBER_GRANT" => "finance_app_staff_member/grant",
    FinanceAppStaffMemberRevoke = "FINANCE_APP_STAFF_MEMBER_REVOKE" => "finance_app_staff_member/revoke",
    FinanceAppStaffMemberDelete = "FINANCE_APP_STAFF_MEMBER_DELETE" => "finance_app_staff_member/delete",
    FinanceAppStaffMemberUpdate = "FINANCE_APP_STAFF_MEMBER_UPDATE" => "finance_app_staff_member/update",
    DiscountsCreate = "DISCOUNTS_CREATE" => "discounts/create",
    DiscountsUpdate = "DISCOUNTS_UPDATE" => "discounts/update",
    DiscountsDelete = "DISCOUNTS_DELETE" => "discounts/delete",
    DiscountsRedeemcodeAdded = "DISCOUNTS_REDEEMCODE_ADDED" => "discounts/redeemcode_added",
    DiscountsRedeemcodeRemoved = "DISCOUNTS_REDEEMCODE_REMOVED" => "discounts/redeemcode_removed",
    MetafieldDefinitionsCreate = "METAFIELD_DEFINITIONS_CREATE" => "metafield_definitions/create",
    MetafieldDefinitionsUpdate = "METAFIELD_DEFINITIONS_UPDATE" => "metafield_definitions/update",
    MetafieldDefinitionsDelete = "METAFIELD_DEFINITIONS_DELETE" => "metafield_definitions/delete",
    DeliveryPromiseSettingsUpdate = "DELIVERY_PROMISE_SETTINGS_UPDATE" => "delivery_promise_settings/update",
    MarketsBackupRegionUpdate = "MARKETS_BACKUP_REGION_UPDATE" => "markets_backup_region/update",
    CheckoutAndAccountsConfigurationsUpdate = "CHECKOUT_AND_ACCOUNTS_CONFIGURATIONS_UPDATE" => "checkout_and_accounts_configurations/update",
}

#[cfg(test)]
mod tests {
    use super::WebhookSubscriptionTopic as T;

    #[test]
    fn topics_map_between_enum_and_rest_names() {
        assert_eq!(T::OrdersCreate.rest_name(), "orders/create");
        assert_eq!(
            T::CustomersEmailMarketingConsentUpdate.rest_name(),
            "customers_email_marketing_consent/update"
        );
        assert_eq!(T::parse("customer.tags_added"), Some(T::CustomerTagsAdded));
        assert_eq!(
            T::parse("BULK_OPERATIONS_FINISH"),
            Some(T::BulkOperationsFinish)
        );
        assert_eq!(T::parse("customers/redact"), None);
    }
}
