-- Profiles: one row per person (see `identities`), with the traits segments read. Order and
-- customer traits are recomputed from the entity rows of that one customer when they change;
-- behavioural counts are kept incrementally from storefront events.

ALTER TABLE orders ADD COLUMN placed_at BIGINT;
ALTER TABLE customers ADD COLUMN customer_created_at BIGINT;
ALTER TABLE customers ADD COLUMN verified_email BIGINT;
ALTER TABLE customers ADD COLUMN email_opt_in TEXT;
ALTER TABLE customers ADD COLUMN sms_opt_in TEXT;
ALTER TABLE customers ADD COLUMN email_consent_at BIGINT;
ALTER TABLE customers ADD COLUMN sms_consent_at BIGINT;
CREATE INDEX orders_customer ON orders (shop_id, customer_id);

CREATE TABLE profiles (
    shop_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    customer_id TEXT,
    lifetime_value TEXT NOT NULL DEFAULT '0',
    order_count BIGINT NOT NULL DEFAULT 0,
    first_order_at BIGINT,
    last_order_at BIGINT,
    currency TEXT,
    country TEXT,
    tags TEXT NOT NULL DEFAULT '',
    state TEXT,
    verified_email BIGINT,
    email_consent TEXT,
    email_opt_in TEXT,
    sms_consent TEXT,
    sms_opt_in TEXT,
    has_email BIGINT NOT NULL DEFAULT 0,
    has_phone BIGINT NOT NULL DEFAULT 0,
    customer_created_at BIGINT,
    last_seen_at BIGINT,
    product_views BIGINT NOT NULL DEFAULT 0,
    add_to_carts BIGINT NOT NULL DEFAULT 0,
    sessions BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, person_id)
);
CREATE INDEX profiles_customer ON profiles (shop_id, customer_id);
