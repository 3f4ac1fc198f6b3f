-- Customers erased by `customers/redact`, by a keyed hash of their id (the id itself is not
-- kept): a history import that read them from Shopify before the erasure skips their rows
-- instead of storing them again.
CREATE TABLE redacted_customers (
    shop_id TEXT NOT NULL,
    customer_hash TEXT NOT NULL,
    redacted_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, customer_hash)
);
