-- The lexical index's GIN includes practice_id (issue 10 §3 "Speed": the lexical leg of GET /search).
--
-- Why. A search reads one practice's texts in the practice's partition of search_index.documents
-- (0076), which holds 3-4 practices at 100 practices. Its matches were found by a BitmapAnd of
-- the partition's GIN on fts (every practice's matches) and the primary key's range of the
-- practice (practice_id, kind, id): ~10,000 btree entries read per search whatever the query
-- (0.6-2.6 ms of the lexical leg at 1M messages).
--
-- What. btree_gin (contrib, in the embedded server and in PostgreSQL's images) gives uuid a GIN
-- operator class, so one GIN (practice_id, fts) answers `practice_id = $1 AND fts @@ $2` with a
-- single index scan: GIN intersects the practice's posting list with the words' inside the index.
-- A multicolumn GIN serves a condition on any subset of its columns alike (the docs: "the search
-- effectiveness is the same regardless of which index column(s) the query conditions use"), so
-- it replaces the fts-only GIN: several practices (`practice_id = ANY`, a bitmap scan per
-- practice) and every practice (fts alone) are served as before. The ranking is unchanged.
-- Numbers in bench/SEARCH.md.
--
-- Idempotent: the index is created only when missing, the old one dropped only when present.

CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE INDEX IF NOT EXISTS documents_practice_fts ON search_index.documents USING gin (practice_id, fts);
DROP INDEX IF EXISTS search_index.documents_fts;
