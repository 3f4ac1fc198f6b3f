-- Workspaces, installed shops, their keys, OAuth state and the protected-data vault.
-- Timestamps are Unix milliseconds (BIGINT) so both stores agree.

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE shops (
    id TEXT PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    shopify_gid TEXT,
    name TEXT,
    currency TEXT,
    access_token_enc BLOB,
    granted_scopes TEXT NOT NULL DEFAULT '',
    pii_salt BLOB,
    installed_at BIGINT,
    uninstalled_at BIGINT,
    webhooks_expected INTEGER NOT NULL DEFAULT 0,
    webhooks_present INTEGER NOT NULL DEFAULT 0,
    webhooks_synced_at BIGINT,
    webhooks_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX shops_tenant ON shops (tenant_id);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    kind TEXT NOT NULL CHECK (kind IN ('public', 'server')),
    public_key TEXT UNIQUE,
    secret_hash TEXT UNIQUE,
    hint TEXT NOT NULL,
    reveal_enc BLOB,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE UNIQUE INDEX api_keys_one_live_per_kind ON api_keys (tenant_id, kind) WHERE revoked_at IS NULL;

CREATE TABLE oauth_states (
    state_hash TEXT PRIMARY KEY,
    shop_domain TEXT NOT NULL,
    connect_tenant_id TEXT REFERENCES tenants (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE customer_pii (
    shop_id TEXT NOT NULL REFERENCES shops (id),
    customer_id TEXT NOT NULL,
    email_hash TEXT,
    phone_hash TEXT,
    email_enc BLOB,
    phone_enc BLOB,
    first_name_enc BLOB,
    last_name_enc BLOB,
    address_enc BLOB,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, customer_id)
);
CREATE INDEX customer_pii_email ON customer_pii (shop_id, email_hash);
CREATE INDEX customer_pii_phone ON customer_pii (shop_id, phone_hash);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    shop_domain TEXT NOT NULL,
    topic TEXT NOT NULL,
    event_id TEXT NOT NULL,
    webhook_id TEXT,
    triggered_at TEXT,
    api_version TEXT,
    body BLOB NOT NULL,
    received_at BIGINT NOT NULL,
    UNIQUE (shop_domain, topic, event_id)
);
