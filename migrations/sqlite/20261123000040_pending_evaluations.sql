-- People whose profile changed and who still need evaluating against the shop's segments: one
-- row per person per committed change, written in the same transaction as the change. A worker
-- takes a whole batch of one shop at once (deleting the rows in the transaction that evaluates
-- them, so a crash puts them back), which replaces one evaluation job per delivery.
CREATE TABLE pending_evaluations (
    id INTEGER PRIMARY KEY,
    shop_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    -- What changed, as stored names (comma-separated); `everything` = 1 reads every segment.
    traits TEXT NOT NULL,
    events TEXT NOT NULL,
    everything INTEGER NOT NULL DEFAULT 0,
    -- Failed evaluations wait (backoff) before the next try, then go to the jobs table parked.
    attempts INTEGER NOT NULL DEFAULT 0,
    run_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
-- A shop's batch, oldest first.
CREATE INDEX pending_evaluations_shop ON pending_evaluations (shop_id, id);

-- The job claim reads due jobs and expired leases through these, in order, with no sort over
-- the table (timers waiting an hour each made every claim sort them all).
CREATE INDEX jobs_queued ON jobs (run_at, id) WHERE status = 'queued';
CREATE INDEX jobs_leased ON jobs (locked_until) WHERE status = 'running';
