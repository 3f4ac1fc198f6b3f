-- Storefront capture: each shop's Web Pixel (its own storefront key and settings), the
-- identity graph that stitches visitors to customers, and the aliases it records.

CREATE TABLE pixels (
    shop_id TEXT PRIMARY KEY,
    storefront_key TEXT NOT NULL UNIQUE,
    web_pixel_id TEXT,
    events TEXT NOT NULL DEFAULT '',
    sample_rate TEXT NOT NULL DEFAULT '1',
    status TEXT NOT NULL DEFAULT 'pending',
    error TEXT,
    updated_at BIGINT NOT NULL,
    last_event_at BIGINT
);

ALTER TABLE shops ADD COLUMN user_id_mode TEXT NOT NULL DEFAULT 'customer_id';
-- The storefront's own domain, whose pages may post pixel events (CORS).
ALTER TABLE shops ADD COLUMN primary_host TEXT;

-- One row per identifier (anonymous id, cart or checkout token, order, customer, email hash);
-- identifiers of one person share `person_id`, named after the group's strongest identifier.
CREATE TABLE identities (
    shop_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    person_id TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, kind, value)
);
CREATE INDEX identities_person ON identities (shop_id, person_id);

-- Segment's Alias call: an anonymous id that became a known user.
CREATE TABLE aliases (
    shop_id TEXT NOT NULL,
    previous_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, previous_id, user_id)
);

-- Each storefront purchase is a chance to stitch its visitor to a customer.
CREATE TABLE stitch_attempts (
    shop_id TEXT NOT NULL,
    anonymous_id TEXT NOT NULL,
    checkout_token TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, anonymous_id, checkout_token)
);

ALTER TABLE events ADD COLUMN anonymous_id TEXT;
ALTER TABLE events ADD COLUMN person_id TEXT;
ALTER TABLE events ADD COLUMN consent TEXT;
CREATE INDEX events_person ON events (shop_id, person_id, occurred_at);
