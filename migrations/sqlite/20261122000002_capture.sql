-- `version_at` (X-Shopify-Triggered-At, microseconds) breaks ties between changes Shopify
-- stamps with the same `updated_at` second.
-- Capture: raw deliveries (bodies sealed under the shop's key), the job queue, canonical
-- events, the latest known state of business objects, privacy requests and data-health counters.

DROP TABLE webhook_deliveries;
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    shop_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    event_id TEXT NOT NULL,
    webhook_id TEXT,
    triggered_at TEXT,
    api_version TEXT,
    body_enc BLOB,
    received_at BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    processed_at BIGINT,
    customer_id TEXT,
    UNIQUE (shop_id, topic, event_id)
);
CREATE INDEX webhook_deliveries_customer ON webhook_deliveries (shop_id, customer_id);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    shop_id TEXT,
    kind TEXT NOT NULL,
    unique_key TEXT UNIQUE,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    run_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE INDEX jobs_shop ON jobs (shop_id, status);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    shop_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    segment_name TEXT,
    dedupe_key TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    customer_id TEXT,
    order_id TEXT,
    checkout_token TEXT,
    cart_token TEXT,
    properties TEXT NOT NULL,
    source TEXT NOT NULL,
    delivery_id BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (shop_id, dedupe_key)
);
CREATE INDEX events_customer ON events (shop_id, customer_id, occurred_at);
CREATE INDEX events_order ON events (shop_id, order_id);

CREATE TABLE orders (
    shop_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    version_at BIGINT NOT NULL DEFAULT 0,
    customer_id TEXT,
    financial_status TEXT,
    fulfillment_status TEXT,
    cancelled BOOLEAN NOT NULL DEFAULT FALSE,
    total TEXT NOT NULL,
    currency TEXT NOT NULL,
    checkout_token TEXT,
    cart_token TEXT,
    PRIMARY KEY (shop_id, order_id)
);
CREATE INDEX orders_checkout ON orders (shop_id, checkout_token);

CREATE TABLE customers (
    shop_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    version_at BIGINT NOT NULL DEFAULT 0,
    state TEXT,
    tags TEXT NOT NULL DEFAULT '',
    email_marketing TEXT,
    sms_marketing TEXT,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    merged_into TEXT,
    PRIMARY KEY (shop_id, customer_id)
);

CREATE TABLE products (
    shop_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    version_at BIGINT NOT NULL DEFAULT 0,
    title TEXT,
    vendor TEXT,
    product_type TEXT,
    status TEXT,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (shop_id, product_id)
);

CREATE TABLE checkouts (
    shop_id TEXT NOT NULL,
    token TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    version_at BIGINT NOT NULL DEFAULT 0,
    customer_id TEXT,
    completed BOOLEAN NOT NULL DEFAULT FALSE,
    total TEXT NOT NULL,
    currency TEXT NOT NULL,
    recovery_url_enc BLOB,
    line_items TEXT NOT NULL DEFAULT '[]',
    abandoned_at BIGINT,
    PRIMARY KEY (shop_id, token)
);

CREATE TABLE privacy_requests (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    customer_id TEXT,
    orders TEXT NOT NULL DEFAULT '[]',
    delivery_id BIGINT NOT NULL UNIQUE,
    received_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    completed_at BIGINT,
    export_enc BLOB
);
CREATE INDEX privacy_requests_shop ON privacy_requests (shop_id, status);

CREATE TABLE data_health (
    shop_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    count BIGINT NOT NULL DEFAULT 0,
    last_detail TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, metric)
);

ALTER TABLE shops ADD COLUMN abandonment_window_secs BIGINT NOT NULL DEFAULT 3600;
