-- A delivery learns its customer only when processed: at intake the column is NULL. Indexing
-- only the rows that have one keeps this index off the intake's insert path; lookups by
-- customer (redaction) name a customer, so they still use it.
DROP INDEX webhook_deliveries_customer;
CREATE INDEX webhook_deliveries_customer ON webhook_deliveries (shop_id, customer_id)
    WHERE customer_id IS NOT NULL;
