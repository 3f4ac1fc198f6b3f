-- Retention (raw deliveries and events older than this are purged) and the log of which staff
-- user viewed a customer's personal data.

ALTER TABLE shops ADD COLUMN retention_days BIGINT NOT NULL DEFAULT 365;

CREATE TABLE pii_access_log (
    id INTEGER PRIMARY KEY,
    shop_id TEXT NOT NULL,
    staff_user_id TEXT,
    customer_id TEXT,
    what TEXT NOT NULL,
    accessed_at BIGINT NOT NULL
);
CREATE INDEX pii_access_log_shop ON pii_access_log (shop_id, accessed_at);
