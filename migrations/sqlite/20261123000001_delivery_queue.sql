-- A delivery row is its own queue entry: the intake writes one row per delivery instead of a
-- delivery and a job. Workers claim 'queued' deliveries (or 'running' ones whose lease
-- expired); a failed attempt hands the delivery to the jobs table ('retrying'), where
-- backoff, parking and replay already live.
ALTER TABLE webhook_deliveries ADD COLUMN locked_until BIGINT;

-- Deliveries already waiting as jobs stay with their jobs.
UPDATE webhook_deliveries SET status = 'retrying'
WHERE status = 'queued'
  AND id IN (SELECT CAST(substr(unique_key, 10) AS INTEGER) FROM jobs WHERE kind = 'process_delivery');

-- Small: only work not yet done is indexed, so the claim finds the oldest at once.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (id)
WHERE status IN ('queued', 'running');
