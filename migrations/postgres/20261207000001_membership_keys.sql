-- A membership is keyed by its segment and person: a segment id already names its shop, so the
-- shop's id (a 36-character text) no longer leads both indexes, where every insert compared it
-- once per tree level (a first pass over a million profiles inserts millions of rows here;
-- BENCHMARKS.md, segment evaluation from the database). `shop_id` stays on the row and in
-- every query's scope.
ALTER TABLE memberships DROP CONSTRAINT memberships_pkey;
ALTER TABLE memberships ADD PRIMARY KEY (segment_id, person_id);
DROP INDEX memberships_unpushed;
CREATE INDEX memberships_unpushed ON memberships (segment_id, pushed);
