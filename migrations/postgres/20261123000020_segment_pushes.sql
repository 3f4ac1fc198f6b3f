-- Large tag pushes go through one Shopify bulk mutation at a time. `segment_pushes` holds the
-- one in flight per segment (its operation id once Shopify accepted it); `segment_push_lines`
-- is the uploaded file, line by line, so the result's line numbers map back to memberships and
-- a restart resumes without re-sending what Shopify confirmed.

CREATE TABLE segment_pushes (
    shop_id TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    -- add | remove: a bulk mutation runs one mutation for every line.
    change TEXT NOT NULL,
    -- NULL until Shopify accepted the operation.
    bulk_id TEXT,
    lines BIGINT NOT NULL,
    -- push_done when the operation started, so progress can add the operation's own count.
    done_before BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    PRIMARY KEY (shop_id, segment_id)
);

CREATE TABLE segment_push_lines (
    shop_id TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    line BIGINT NOT NULL,
    person_id TEXT NOT NULL,
    -- The membership state this line pushes; a row that moved since is not marked by it.
    member BIGINT NOT NULL,
    ok BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, segment_id, line)
);
-- Marking looks lines up by person.
CREATE INDEX segment_push_lines_person ON segment_push_lines (shop_id, segment_id, person_id);
