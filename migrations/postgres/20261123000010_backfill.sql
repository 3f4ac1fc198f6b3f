-- The install backfill of each shop: which bulk query runs, how far its result file has been
-- applied (a checkpoint written with the rows it covers), and the first segment SegOps
-- proposes once the history is in.

CREATE TABLE backfills (
    shop_id TEXT PRIMARY KEY,
    -- orders | customers | done | failed
    phase TEXT NOT NULL,
    -- Orders created on or after this date (YYYY-MM-DD, UTC) are imported.
    orders_since TEXT NOT NULL,
    -- The running bulk operation's GID, or NULL before it is started.
    operation_id TEXT,
    -- Root objects of the current result file already applied: where a restart resumes.
    row_cursor BIGINT NOT NULL DEFAULT 0,
    -- Root objects applied over every phase, and those known to come.
    rows_done BIGINT NOT NULL DEFAULT 0,
    rows_expected BIGINT NOT NULL DEFAULT 0,
    -- Rows of finished phases, so a phase's expected count can be added once.
    rows_before_phase BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    updated_at BIGINT NOT NULL,
    -- The proposed segment (rule as JSON), and the segment created when it was accepted.
    suggestion_name TEXT,
    suggestion_rule TEXT,
    suggestion_members BIGINT,
    suggestion_segment_id TEXT
);
