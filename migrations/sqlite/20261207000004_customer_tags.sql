-- Each tag of a customer with its latest change: `customer.tags_added` / `customer.tags_removed`
-- arrive in any order, so the newest change of each tag wins, and `customers.tags` is derived
-- from these rows (tags it held before a row existed stay until a change or snapshot says).
CREATE TABLE customer_tags (
    shop_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    present BIGINT NOT NULL,
    changed_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, customer_id, tag)
);
