-- Segments: rules over profiles (JSON, `segments` module's v1 format), their members with
-- entered/left times, and how each is pushed into Shopify (customer tags or a native segment).

CREATE TABLE segments (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    rule TEXT NOT NULL,
    -- tag | native | none
    push_mode TEXT NOT NULL DEFAULT 'tag',
    native_segment_id TEXT,
    member_count BIGINT NOT NULL DEFAULT 0,
    shopify_member_count BIGINT,
    -- idle | pushing | done | failed
    push_state TEXT NOT NULL DEFAULT 'idle',
    push_done BIGINT NOT NULL DEFAULT 0,
    push_total BIGINT NOT NULL DEFAULT 0,
    push_error TEXT,
    suggested BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (shop_id, slug)
);
CREATE INDEX segments_shop ON segments (shop_id);

CREATE TABLE memberships (
    shop_id TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    -- 1 while a member; 0 after leaving (the row keeps the times).
    member BIGINT NOT NULL,
    entered_at BIGINT,
    left_at BIGINT,
    -- Whether Shopify reflects the current state (the tag added or removed).
    pushed BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, segment_id, person_id)
);
CREATE INDEX memberships_unpushed ON memberships (shop_id, segment_id, pushed);
