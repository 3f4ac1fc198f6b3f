-- The behavioural traits' values SegOps last wrote onto each customer as `segops` metafields,
-- which native Shopify segments filter on: a push writes only the customers whose value moved.
CREATE TABLE trait_metafields (
    shop_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    written_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, customer_id, key)
);
