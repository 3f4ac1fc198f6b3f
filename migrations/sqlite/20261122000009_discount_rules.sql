-- Segment discount rules configured in the admin, and the shop's one automatic app discount
-- (the checkout Function) that carries them as its configuration metafield.

CREATE TABLE discount_rules (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    -- percentage | fixed
    kind TEXT NOT NULL,
    -- Decimal text as entered and validated ("10", "5.50").
    value TEXT NOT NULL,
    -- order | products
    scope TEXT NOT NULL,
    -- JSON arrays of GIDs; empty unless scope is products.
    product_ids TEXT NOT NULL DEFAULT '[]',
    collection_ids TEXT NOT NULL DEFAULT '[]',
    minimum_subtotal TEXT,
    message TEXT,
    priority BIGINT NOT NULL DEFAULT 0,
    -- 1 active, 0 inactive.
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX discount_rules_shop ON discount_rules (shop_id);

CREATE TABLE shop_discounts (
    shop_id TEXT PRIMARY KEY,
    -- The DiscountAutomaticNode GID once Shopify created it.
    discount_id TEXT,
    -- Why the last push to Shopify failed, if it did.
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
