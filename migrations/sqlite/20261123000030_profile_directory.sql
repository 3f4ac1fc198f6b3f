-- The admin's profile list pages by most recent activity with a keyset cursor
-- (COALESCE(last_seen_at, 0) DESC, person_id): this index serves each page without a sort
-- over the shop's profiles. The query spells the expression exactly so.
CREATE INDEX profiles_recent ON profiles (shop_id, (COALESCE(last_seen_at, 0)) DESC, person_id);
