-- A membership is keyed by its segment and person: a segment id already names its shop, so the
-- shop's id (a 36-character text) no longer leads the key, where every insert compared it once
-- per tree level. `shop_id` stays on the row and in every query's scope. WITHOUT ROWID: the key
-- is the table, one b-tree where there were two. A first pass over a million profiles inserts
-- millions of rows here (BENCHMARKS.md, segment evaluation from the database).
CREATE TABLE memberships_keyed (
    shop_id TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    -- 1 while a member; 0 after leaving (the row keeps the times).
    member BIGINT NOT NULL,
    entered_at BIGINT,
    left_at BIGINT,
    -- Whether Shopify reflects the current state (the tag added or removed).
    pushed BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (segment_id, person_id)
) WITHOUT ROWID;
INSERT INTO memberships_keyed (shop_id, segment_id, person_id, member, entered_at, left_at, pushed)
    SELECT shop_id, segment_id, person_id, member, entered_at, left_at, pushed FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_keyed RENAME TO memberships;
-- The unpushed index also holds `member` and `shop_id` (PostgreSQL's needs neither): without
-- statistics, SQLite's planner takes the key's `segment_id = ?` scan unless an index matches more
-- of a query's equalities and covers it, and a push would then read every member of the segment
-- to count the few unpushed. `shop_id` comes last: leading, it made the index look better than
-- the key's person range to the full pass's page reads, which then read whole segments.
CREATE INDEX memberships_unpushed ON memberships (segment_id, pushed, member, shop_id);
