-- Session 12 (s-postings): alternatives to db 0164's search_index.rank_postings_<n>() measured and not
-- kept (bench/SEARCH.md, "Session 12 (s-postings)"). Each variant v gives search_index.rank_postings_<v>_<n>,
-- n = 1..16, with 0164's arguments and result (the same ids and float8 ranks). To run one side by side
-- with 0164, install this file and a copy of 0164's search_lexical() calling it, e.g. for v = pivot:
--   sed -e 's/public\.search_lexical(/public.search_lexical_pivot(/g' \
--       -e 's/search_index\.rank_postings_%3$s(/search_index.rank_postings_pivot_%3$s(/' \
--       db/migrations/0164_search_lexical_postings.sql | psql …
-- then `bench/search-lexical-cpu.ts --functions search_lexical,search_lexical_pivot`.
--   pivot:       every lexeme's postings in one scan, one `max(tf) FILTER (WHERE o = k)` per lexeme
--                (n comparisons per posting row) instead of 0164's packed bit_or.
--   lateral:     candidates from the selective lexemes' postings, then every lexeme's tf by one
--                primary-key probe per candidate and lexeme.
--   probecommon: 0164's packing over the selective lexemes' postings only; each common lexeme's tf by
--                one primary-key probe per candidate instead of reading its whole range.
--   hashcommon:  0164's packing over the selective lexemes' postings (the candidates), then the common
--                lexemes' whole ranges hash-joined to the candidates and packed in a second aggregate,
--                instead of 0164's one aggregate over every lexeme's postings.
--   semijoin:    the selective lexemes' postings materialised; the common lexemes' postings semi-joined
--                to their texts (hash) before one aggregate over both, so that no group is made for a
--                text without a selective lexeme (0164 makes ~1,800 such groups for a common word).

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_1(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_2(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1, max(p.tf) FILTER (WHERE q.o = 2) AS t2
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1, g.t2::float8 AS t2 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL) OR (p_idf[2] IS NULL AND g.t2 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_3(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1, max(p.tf) FILTER (WHERE q.o = 2) AS t2, max(p.tf) FILTER (WHERE q.o = 3) AS t3
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1, g.t2::float8 AS t2, g.t3::float8 AS t3 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL) OR (p_idf[2] IS NULL AND g.t2 IS NOT NULL) OR (p_idf[3] IS NULL AND g.t3 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_4(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1, max(p.tf) FILTER (WHERE q.o = 2) AS t2, max(p.tf) FILTER (WHERE q.o = 3) AS t3, max(p.tf) FILTER (WHERE q.o = 4) AS t4
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1, g.t2::float8 AS t2, g.t3::float8 AS t3, g.t4::float8 AS t4 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL) OR (p_idf[2] IS NULL AND g.t2 IS NOT NULL) OR (p_idf[3] IS NULL AND g.t3 IS NOT NULL) OR (p_idf[4] IS NULL AND g.t4 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_5(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1, max(p.tf) FILTER (WHERE q.o = 2) AS t2, max(p.tf) FILTER (WHERE q.o = 3) AS t3, max(p.tf) FILTER (WHERE q.o = 4) AS t4, max(p.tf) FILTER (WHERE q.o = 5) AS t5
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1, g.t2::float8 AS t2, g.t3::float8 AS t3, g.t4::float8 AS t4, g.t5::float8 AS t5 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL) OR (p_idf[2] IS NULL AND g.t2 IS NOT NULL) OR (p_idf[3] IS NULL AND g.t3 IS NOT NULL) OR (p_idf[4] IS NULL AND g.t4 IS NOT NULL) OR (p_idf[5] IS NULL AND g.t5 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_6(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1, max(p.tf) FILTER (WHERE q.o = 2) AS t2, max(p.tf) FILTER (WHERE q.o = 3) AS t3, max(p.tf) FILTER (WHERE q.o = 4) AS t4, max(p.tf) FILTER (WHERE q.o = 5) AS t5, max(p.tf) FILTER (WHERE q.o = 6) AS t6
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1, g.t2::float8 AS t2, g.t3::float8 AS t3, g.t4::float8 AS t4, g.t5::float8 AS t5, g.t6::float8 AS t6 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL) OR (p_idf[2] IS NULL AND g.t2 IS NOT NULL) OR (p_idf[3] IS NULL AND g.t3 IS NOT NULL) OR (p_idf[4] IS NULL AND g.t4 IS NOT NULL) OR (p_idf[5] IS NULL AND g.t5 IS NOT NULL) OR (p_idf[6] IS NULL AND g.t6 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_7(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1, max(p.tf) FILTER (WHERE q.o = 2) AS t2, max(p.tf) FILTER (WHERE q.o = 3) AS t3, max(p.tf) FILTER (WHERE q.o = 4) AS t4, max(p.tf) FILTER (WHERE q.o = 5) AS t5, max(p.tf) FILTER (WHERE q.o = 6) AS t6, max(p.tf) FILTER (WHERE q.o = 7) AS t7
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1, g.t2::float8 AS t2, g.t3::float8 AS t3, g.t4::float8 AS t4, g.t5::float8 AS t5, g.t6::float8 AS t6, g.t7::float8 AS t7 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL) OR (p_idf[2] IS NULL AND g.t2 IS NOT NULL) OR (p_idf[3] IS NULL AND g.t3 IS NOT NULL) OR (p_idf[4] IS NULL AND g.t4 IS NOT NULL) OR (p_idf[5] IS NULL AND g.t5 IS NOT NULL) OR (p_idf[6] IS NULL AND g.t6 IS NOT NULL) OR (p_idf[7] IS NULL AND g.t7 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_8(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1, max(p.tf) FILTER (WHERE q.o = 2) AS t2, max(p.tf) FILTER (WHERE q.o = 3) AS t3, max(p.tf) FILTER (WHERE q.o = 4) AS t4, max(p.tf) FILTER (WHERE q.o = 5) AS t5, max(p.tf) FILTER (WHERE q.o = 6) AS t6, max(p.tf) FILTER (WHERE q.o = 7) AS t7, max(p.tf) FILTER (WHERE q.o = 8) AS t8
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1, g.t2::float8 AS t2, g.t3::float8 AS t3, g.t4::float8 AS t4, g.t5::float8 AS t5, g.t6::float8 AS t6, g.t7::float8 AS t7, g.t8::float8 AS t8 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL) OR (p_idf[2] IS NULL AND g.t2 IS NOT NULL) OR (p_idf[3] IS NULL AND g.t3 IS NOT NULL) OR (p_idf[4] IS NULL AND g.t4 IS NOT NULL) OR (p_idf[5] IS NULL AND g.t5 IS NOT NULL) OR (p_idf[6] IS NULL AND g.t6 IS NOT NULL) OR (p_idf[7] IS NULL AND g.t7 IS NOT NULL) OR (p_idf[8] IS NULL AND g.t8 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_9(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1, max(p.tf) FILTER (WHERE q.o = 2) AS t2, max(p.tf) FILTER (WHERE q.o = 3) AS t3, max(p.tf) FILTER (WHERE q.o = 4) AS t4, max(p.tf) FILTER (WHERE q.o = 5) AS t5, max(p.tf) FILTER (WHERE q.o = 6) AS t6, max(p.tf) FILTER (WHERE q.o = 7) AS t7, max(p.tf) FILTER (WHERE q.o = 8) AS t8, max(p.tf) FILTER (WHERE q.o = 9) AS t9
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1, g.t2::float8 AS t2, g.t3::float8 AS t3, g.t4::float8 AS t4, g.t5::float8 AS t5, g.t6::float8 AS t6, g.t7::float8 AS t7, g.t8::float8 AS t8, g.t9::float8 AS t9 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL) OR (p_idf[2] IS NULL AND g.t2 IS NOT NULL) OR (p_idf[3] IS NULL AND g.t3 IS NOT NULL) OR (p_idf[4] IS NULL AND g.t4 IS NOT NULL) OR (p_idf[5] IS NULL AND g.t5 IS NOT NULL) OR (p_idf[6] IS NULL AND g.t6 IS NOT NULL) OR (p_idf[7] IS NULL AND g.t7 IS NOT NULL) OR (p_idf[8] IS NULL AND g.t8 IS NOT NULL) OR (p_idf[9] IS NULL AND g.t9 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_10(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1, max(p.tf) FILTER (WHERE q.o = 2) AS t2, max(p.tf) FILTER (WHERE q.o = 3) AS t3, max(p.tf) FILTER (WHERE q.o = 4) AS t4, max(p.tf) FILTER (WHERE q.o = 5) AS t5, max(p.tf) FILTER (WHERE q.o = 6) AS t6, max(p.tf) FILTER (WHERE q.o = 7) AS t7, max(p.tf) FILTER (WHERE q.o = 8) AS t8, max(p.tf) FILTER (WHERE q.o = 9) AS t9, max(p.tf) FILTER (WHERE q.o = 10) AS t10
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1, g.t2::float8 AS t2, g.t3::float8 AS t3, g.t4::float8 AS t4, g.t5::float8 AS t5, g.t6::float8 AS t6, g.t7::float8 AS t7, g.t8::float8 AS t8, g.t9::float8 AS t9, g.t10::float8 AS t10 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL) OR (p_idf[2] IS NULL AND g.t2 IS NOT NULL) OR (p_idf[3] IS NULL AND g.t3 IS NOT NULL) OR (p_idf[4] IS NULL AND g.t4 IS NOT NULL) OR (p_idf[5] IS NULL AND g.t5 IS NOT NULL) OR (p_idf[6] IS NULL AND g.t6 IS NOT NULL) OR (p_idf[7] IS NULL AND g.t7 IS NOT NULL) OR (p_idf[8] IS NULL AND g.t8 IS NOT NULL) OR (p_idf[9] IS NULL AND g.t9 IS NOT NULL) OR (p_idf[10] IS NULL AND g.t10 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_11(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1, max(p.tf) FILTER (WHERE q.o = 2) AS t2, max(p.tf) FILTER (WHERE q.o = 3) AS t3, max(p.tf) FILTER (WHERE q.o = 4) AS t4, max(p.tf) FILTER (WHERE q.o = 5) AS t5, max(p.tf) FILTER (WHERE q.o = 6) AS t6, max(p.tf) FILTER (WHERE q.o = 7) AS t7, max(p.tf) FILTER (WHERE q.o = 8) AS t8, max(p.tf) FILTER (WHERE q.o = 9) AS t9, max(p.tf) FILTER (WHERE q.o = 10) AS t10, max(p.tf) FILTER (WHERE q.o = 11) AS t11
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1, g.t2::float8 AS t2, g.t3::float8 AS t3, g.t4::float8 AS t4, g.t5::float8 AS t5, g.t6::float8 AS t6, g.t7::float8 AS t7, g.t8::float8 AS t8, g.t9::float8 AS t9, g.t10::float8 AS t10, g.t11::float8 AS t11 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL) OR (p_idf[2] IS NULL AND g.t2 IS NOT NULL) OR (p_idf[3] IS NULL AND g.t3 IS NOT NULL) OR (p_idf[4] IS NULL AND g.t4 IS NOT NULL) OR (p_idf[5] IS NULL AND g.t5 IS NOT NULL) OR (p_idf[6] IS NULL AND g.t6 IS NOT NULL) OR (p_idf[7] IS NULL AND g.t7 IS NOT NULL) OR (p_idf[8] IS NULL AND g.t8 IS NOT NULL) OR (p_idf[9] IS NULL AND g.t9 IS NOT NULL) OR (p_idf[10] IS NULL AND g.t10 IS NOT NULL) OR (p_idf[11] IS NULL AND g.t11 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_12(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1, max(p.tf) FILTER (WHERE q.o = 2) AS t2, max(p.tf) FILTER (WHERE q.o = 3) AS t3, max(p.tf) FILTER (WHERE q.o = 4) AS t4, max(p.tf) FILTER (WHERE q.o = 5) AS t5, max(p.tf) FILTER (WHERE q.o = 6) AS t6, max(p.tf) FILTER (WHERE q.o = 7) AS t7, max(p.tf) FILTER (WHERE q.o = 8) AS t8, max(p.tf) FILTER (WHERE q.o = 9) AS t9, max(p.tf) FILTER (WHERE q.o = 10) AS t10, max(p.tf) FILTER (WHERE q.o = 11) AS t11, max(p.tf) FILTER (WHERE q.o = 12) AS t12
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1, g.t2::float8 AS t2, g.t3::float8 AS t3, g.t4::float8 AS t4, g.t5::float8 AS t5, g.t6::float8 AS t6, g.t7::float8 AS t7, g.t8::float8 AS t8, g.t9::float8 AS t9, g.t10::float8 AS t10, g.t11::float8 AS t11, g.t12::float8 AS t12 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL) OR (p_idf[2] IS NULL AND g.t2 IS NOT NULL) OR (p_idf[3] IS NULL AND g.t3 IS NOT NULL) OR (p_idf[4] IS NULL AND g.t4 IS NOT NULL) OR (p_idf[5] IS NULL AND g.t5 IS NOT NULL) OR (p_idf[6] IS NULL AND g.t6 IS NOT NULL) OR (p_idf[7] IS NULL AND g.t7 IS NOT NULL) OR (p_idf[8] IS NULL AND g.t8 IS NOT NULL) OR (p_idf[9] IS NULL AND g.t9 IS NOT NULL) OR (p_idf[10] IS NULL AND g.t10 IS NOT NULL) OR (p_idf[11] IS NULL AND g.t11 IS NOT NULL) OR (p_idf[12] IS NULL AND g.t12 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_13(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1, max(p.tf) FILTER (WHERE q.o = 2) AS t2, max(p.tf) FILTER (WHERE q.o = 3) AS t3, max(p.tf) FILTER (WHERE q.o = 4) AS t4, max(p.tf) FILTER (WHERE q.o = 5) AS t5, max(p.tf) FILTER (WHERE q.o = 6) AS t6, max(p.tf) FILTER (WHERE q.o = 7) AS t7, max(p.tf) FILTER (WHERE q.o = 8) AS t8, max(p.tf) FILTER (WHERE q.o = 9) AS t9, max(p.tf) FILTER (WHERE q.o = 10) AS t10, max(p.tf) FILTER (WHERE q.o = 11) AS t11, max(p.tf) FILTER (WHERE q.o = 12) AS t12, max(p.tf) FILTER (WHERE q.o = 13) AS t13
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1, g.t2::float8 AS t2, g.t3::float8 AS t3, g.t4::float8 AS t4, g.t5::float8 AS t5, g.t6::float8 AS t6, g.t7::float8 AS t7, g.t8::float8 AS t8, g.t9::float8 AS t9, g.t10::float8 AS t10, g.t11::float8 AS t11, g.t12::float8 AS t12, g.t13::float8 AS t13 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL) OR (p_idf[2] IS NULL AND g.t2 IS NOT NULL) OR (p_idf[3] IS NULL AND g.t3 IS NOT NULL) OR (p_idf[4] IS NULL AND g.t4 IS NOT NULL) OR (p_idf[5] IS NULL AND g.t5 IS NOT NULL) OR (p_idf[6] IS NULL AND g.t6 IS NOT NULL) OR (p_idf[7] IS NULL AND g.t7 IS NOT NULL) OR (p_idf[8] IS NULL AND g.t8 IS NOT NULL) OR (p_idf[9] IS NULL AND g.t9 IS NOT NULL) OR (p_idf[10] IS NULL AND g.t10 IS NOT NULL) OR (p_idf[11] IS NULL AND g.t11 IS NOT NULL) OR (p_idf[12] IS NULL AND g.t12 IS NOT NULL) OR (p_idf[13] IS NULL AND g.t13 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_14(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1, max(p.tf) FILTER (WHERE q.o = 2) AS t2, max(p.tf) FILTER (WHERE q.o = 3) AS t3, max(p.tf) FILTER (WHERE q.o = 4) AS t4, max(p.tf) FILTER (WHERE q.o = 5) AS t5, max(p.tf) FILTER (WHERE q.o = 6) AS t6, max(p.tf) FILTER (WHERE q.o = 7) AS t7, max(p.tf) FILTER (WHERE q.o = 8) AS t8, max(p.tf) FILTER (WHERE q.o = 9) AS t9, max(p.tf) FILTER (WHERE q.o = 10) AS t10, max(p.tf) FILTER (WHERE q.o = 11) AS t11, max(p.tf) FILTER (WHERE q.o = 12) AS t12, max(p.tf) FILTER (WHERE q.o = 13) AS t13, max(p.tf) FILTER (WHERE q.o = 14) AS t14
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1, g.t2::float8 AS t2, g.t3::float8 AS t3, g.t4::float8 AS t4, g.t5::float8 AS t5, g.t6::float8 AS t6, g.t7::float8 AS t7, g.t8::float8 AS t8, g.t9::float8 AS t9, g.t10::float8 AS t10, g.t11::float8 AS t11, g.t12::float8 AS t12, g.t13::float8 AS t13, g.t14::float8 AS t14 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL) OR (p_idf[2] IS NULL AND g.t2 IS NOT NULL) OR (p_idf[3] IS NULL AND g.t3 IS NOT NULL) OR (p_idf[4] IS NULL AND g.t4 IS NOT NULL) OR (p_idf[5] IS NULL AND g.t5 IS NOT NULL) OR (p_idf[6] IS NULL AND g.t6 IS NOT NULL) OR (p_idf[7] IS NULL AND g.t7 IS NOT NULL) OR (p_idf[8] IS NULL AND g.t8 IS NOT NULL) OR (p_idf[9] IS NULL AND g.t9 IS NOT NULL) OR (p_idf[10] IS NULL AND g.t10 IS NOT NULL) OR (p_idf[11] IS NULL AND g.t11 IS NOT NULL) OR (p_idf[12] IS NULL AND g.t12 IS NOT NULL) OR (p_idf[13] IS NULL AND g.t13 IS NOT NULL) OR (p_idf[14] IS NULL AND g.t14 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13, count(m.t14)::float8 AS df14 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13, coalesce(p_idf[14], ln(1 + (greatest(p_n, s.df14) - s.df14 + 0.5) / (s.df14 + 0.5))) AS w14 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0) + coalesce(x.w14 * x.t14 * x.k1p1 / (x.t14 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_15(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1, max(p.tf) FILTER (WHERE q.o = 2) AS t2, max(p.tf) FILTER (WHERE q.o = 3) AS t3, max(p.tf) FILTER (WHERE q.o = 4) AS t4, max(p.tf) FILTER (WHERE q.o = 5) AS t5, max(p.tf) FILTER (WHERE q.o = 6) AS t6, max(p.tf) FILTER (WHERE q.o = 7) AS t7, max(p.tf) FILTER (WHERE q.o = 8) AS t8, max(p.tf) FILTER (WHERE q.o = 9) AS t9, max(p.tf) FILTER (WHERE q.o = 10) AS t10, max(p.tf) FILTER (WHERE q.o = 11) AS t11, max(p.tf) FILTER (WHERE q.o = 12) AS t12, max(p.tf) FILTER (WHERE q.o = 13) AS t13, max(p.tf) FILTER (WHERE q.o = 14) AS t14, max(p.tf) FILTER (WHERE q.o = 15) AS t15
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1, g.t2::float8 AS t2, g.t3::float8 AS t3, g.t4::float8 AS t4, g.t5::float8 AS t5, g.t6::float8 AS t6, g.t7::float8 AS t7, g.t8::float8 AS t8, g.t9::float8 AS t9, g.t10::float8 AS t10, g.t11::float8 AS t11, g.t12::float8 AS t12, g.t13::float8 AS t13, g.t14::float8 AS t14, g.t15::float8 AS t15 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL) OR (p_idf[2] IS NULL AND g.t2 IS NOT NULL) OR (p_idf[3] IS NULL AND g.t3 IS NOT NULL) OR (p_idf[4] IS NULL AND g.t4 IS NOT NULL) OR (p_idf[5] IS NULL AND g.t5 IS NOT NULL) OR (p_idf[6] IS NULL AND g.t6 IS NOT NULL) OR (p_idf[7] IS NULL AND g.t7 IS NOT NULL) OR (p_idf[8] IS NULL AND g.t8 IS NOT NULL) OR (p_idf[9] IS NULL AND g.t9 IS NOT NULL) OR (p_idf[10] IS NULL AND g.t10 IS NOT NULL) OR (p_idf[11] IS NULL AND g.t11 IS NOT NULL) OR (p_idf[12] IS NULL AND g.t12 IS NOT NULL) OR (p_idf[13] IS NULL AND g.t13 IS NOT NULL) OR (p_idf[14] IS NULL AND g.t14 IS NOT NULL) OR (p_idf[15] IS NULL AND g.t15 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13, count(m.t14)::float8 AS df14, count(m.t15)::float8 AS df15 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13, coalesce(p_idf[14], ln(1 + (greatest(p_n, s.df14) - s.df14 + 0.5) / (s.df14 + 0.5))) AS w14, coalesce(p_idf[15], ln(1 + (greatest(p_n, s.df15) - s.df15 + 0.5) / (s.df15 + 0.5))) AS w15 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0) + coalesce(x.w14 * x.t14 * x.k1p1 / (x.t14 + x.norm), 0) + coalesce(x.w15 * x.t15 * x.k1p1 / (x.t15 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_pivot_16(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , max(p.tf) FILTER (WHERE q.o = 1) AS t1, max(p.tf) FILTER (WHERE q.o = 2) AS t2, max(p.tf) FILTER (WHERE q.o = 3) AS t3, max(p.tf) FILTER (WHERE q.o = 4) AS t4, max(p.tf) FILTER (WHERE q.o = 5) AS t5, max(p.tf) FILTER (WHERE q.o = 6) AS t6, max(p.tf) FILTER (WHERE q.o = 7) AS t7, max(p.tf) FILTER (WHERE q.o = 8) AS t8, max(p.tf) FILTER (WHERE q.o = 9) AS t9, max(p.tf) FILTER (WHERE q.o = 10) AS t10, max(p.tf) FILTER (WHERE q.o = 11) AS t11, max(p.tf) FILTER (WHERE q.o = 12) AS t12, max(p.tf) FILTER (WHERE q.o = 13) AS t13, max(p.tf) FILTER (WHERE q.o = 14) AS t14, max(p.tf) FILTER (WHERE q.o = 15) AS t15, max(p.tf) FILTER (WHERE q.o = 16) AS t16
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , g.t1::float8 AS t1, g.t2::float8 AS t2, g.t3::float8 AS t3, g.t4::float8 AS t4, g.t5::float8 AS t5, g.t6::float8 AS t6, g.t7::float8 AS t7, g.t8::float8 AS t8, g.t9::float8 AS t9, g.t10::float8 AS t10, g.t11::float8 AS t11, g.t12::float8 AS t12, g.t13::float8 AS t13, g.t14::float8 AS t14, g.t15::float8 AS t15, g.t16::float8 AS t16 FROM g WHERE (p_idf[1] IS NULL AND g.t1 IS NOT NULL) OR (p_idf[2] IS NULL AND g.t2 IS NOT NULL) OR (p_idf[3] IS NULL AND g.t3 IS NOT NULL) OR (p_idf[4] IS NULL AND g.t4 IS NOT NULL) OR (p_idf[5] IS NULL AND g.t5 IS NOT NULL) OR (p_idf[6] IS NULL AND g.t6 IS NOT NULL) OR (p_idf[7] IS NULL AND g.t7 IS NOT NULL) OR (p_idf[8] IS NULL AND g.t8 IS NOT NULL) OR (p_idf[9] IS NULL AND g.t9 IS NOT NULL) OR (p_idf[10] IS NULL AND g.t10 IS NOT NULL) OR (p_idf[11] IS NULL AND g.t11 IS NOT NULL) OR (p_idf[12] IS NULL AND g.t12 IS NOT NULL) OR (p_idf[13] IS NULL AND g.t13 IS NOT NULL) OR (p_idf[14] IS NULL AND g.t14 IS NOT NULL) OR (p_idf[15] IS NULL AND g.t15 IS NOT NULL) OR (p_idf[16] IS NULL AND g.t16 IS NOT NULL)
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13, count(m.t14)::float8 AS df14, count(m.t15)::float8 AS df15, count(m.t16)::float8 AS df16 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13, coalesce(p_idf[14], ln(1 + (greatest(p_n, s.df14) - s.df14 + 0.5) / (s.df14 + 0.5))) AS w14, coalesce(p_idf[15], ln(1 + (greatest(p_n, s.df15) - s.df15 + 0.5) / (s.df15 + 0.5))) AS w15, coalesce(p_idf[16], ln(1 + (greatest(p_n, s.df16) - s.df16 + 0.5) / (s.df16 + 0.5))) AS w16 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0) + coalesce(x.w14 * x.t14 * x.k1p1 / (x.t14 + x.norm), 0) + coalesce(x.w15 * x.t15 * x.k1p1 / (x.t15 + x.norm), 0) + coalesce(x.w16 * x.t16 * x.k1p1 / (x.t16 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_1(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_2(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 AS t2 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_3(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 AS t2, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 AS t3 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_4(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 AS t2, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 AS t3, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 AS t4 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_5(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 AS t2, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 AS t3, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 AS t4, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 AS t5 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_6(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 AS t2, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 AS t3, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 AS t4, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 AS t5, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 AS t6 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_7(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 AS t2, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 AS t3, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 AS t4, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 AS t5, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 AS t6, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 AS t7 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_8(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 AS t2, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 AS t3, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 AS t4, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 AS t5, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 AS t6, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 AS t7, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 AS t8 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_9(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 AS t2, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 AS t3, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 AS t4, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 AS t5, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 AS t6, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 AS t7, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 AS t8, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 AS t9 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_10(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 AS t2, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 AS t3, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 AS t4, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 AS t5, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 AS t6, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 AS t7, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 AS t8, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 AS t9, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[10] AND p.id = g.id)::float8 AS t10 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_11(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 AS t2, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 AS t3, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 AS t4, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 AS t5, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 AS t6, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 AS t7, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 AS t8, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 AS t9, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[10] AND p.id = g.id)::float8 AS t10, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[11] AND p.id = g.id)::float8 AS t11 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_12(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 AS t2, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 AS t3, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 AS t4, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 AS t5, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 AS t6, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 AS t7, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 AS t8, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 AS t9, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[10] AND p.id = g.id)::float8 AS t10, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[11] AND p.id = g.id)::float8 AS t11, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[12] AND p.id = g.id)::float8 AS t12 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_13(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 AS t2, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 AS t3, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 AS t4, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 AS t5, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 AS t6, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 AS t7, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 AS t8, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 AS t9, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[10] AND p.id = g.id)::float8 AS t10, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[11] AND p.id = g.id)::float8 AS t11, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[12] AND p.id = g.id)::float8 AS t12, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[13] AND p.id = g.id)::float8 AS t13 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_14(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 AS t2, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 AS t3, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 AS t4, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 AS t5, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 AS t6, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 AS t7, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 AS t8, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 AS t9, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[10] AND p.id = g.id)::float8 AS t10, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[11] AND p.id = g.id)::float8 AS t11, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[12] AND p.id = g.id)::float8 AS t12, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[13] AND p.id = g.id)::float8 AS t13, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[14] AND p.id = g.id)::float8 AS t14 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13, count(m.t14)::float8 AS df14 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13, coalesce(p_idf[14], ln(1 + (greatest(p_n, s.df14) - s.df14 + 0.5) / (s.df14 + 0.5))) AS w14 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0) + coalesce(x.w14 * x.t14 * x.k1p1 / (x.t14 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_15(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 AS t2, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 AS t3, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 AS t4, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 AS t5, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 AS t6, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 AS t7, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 AS t8, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 AS t9, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[10] AND p.id = g.id)::float8 AS t10, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[11] AND p.id = g.id)::float8 AS t11, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[12] AND p.id = g.id)::float8 AS t12, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[13] AND p.id = g.id)::float8 AS t13, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[14] AND p.id = g.id)::float8 AS t14, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[15] AND p.id = g.id)::float8 AS t15 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13, count(m.t14)::float8 AS df14, count(m.t15)::float8 AS df15 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13, coalesce(p_idf[14], ln(1 + (greatest(p_n, s.df14) - s.df14 + 0.5) / (s.df14 + 0.5))) AS w14, coalesce(p_idf[15], ln(1 + (greatest(p_n, s.df15) - s.df15 + 0.5) / (s.df15 + 0.5))) AS w15 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0) + coalesce(x.w14 * x.t14 * x.k1p1 / (x.t14 + x.norm), 0) + coalesce(x.w15 * x.t15 * x.k1p1 / (x.t15 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_lateral_16(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT DISTINCT p.id, p.dl
      FROM unnest(p_lexemes, p_idf) AS q(l, i)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 AS t1, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 AS t2, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 AS t3, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 AS t4, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 AS t5, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 AS t6, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 AS t7, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 AS t8, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 AS t9, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[10] AND p.id = g.id)::float8 AS t10, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[11] AND p.id = g.id)::float8 AS t11, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[12] AND p.id = g.id)::float8 AS t12, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[13] AND p.id = g.id)::float8 AS t13, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[14] AND p.id = g.id)::float8 AS t14, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[15] AND p.id = g.id)::float8 AS t15, (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[16] AND p.id = g.id)::float8 AS t16 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13, count(m.t14)::float8 AS df14, count(m.t15)::float8 AS df15, count(m.t16)::float8 AS df16 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13, coalesce(p_idf[14], ln(1 + (greatest(p_n, s.df14) - s.df14 + 0.5) / (s.df14 + 0.5))) AS w14, coalesce(p_idf[15], ln(1 + (greatest(p_n, s.df15) - s.df15 + 0.5) / (s.df15 + 0.5))) AS w15, coalesce(p_idf[16], ln(1 + (greatest(p_n, s.df16) - s.df16 + 0.5) / (s.df16 + 0.5))) AS w16 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0) + coalesce(x.w14 * x.t14 * x.k1p1 / (x.t14 + x.norm), 0) + coalesce(x.w15 * x.t15 * x.k1p1 / (x.t15 + x.norm), 0) + coalesce(x.w16 * x.t16 * x.k1p1 / (x.t16 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_1(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_2(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1, CASE WHEN p_idf[2] IS NULL THEN NULLIF((g.b1 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 END AS t2 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_3(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1, CASE WHEN p_idf[2] IS NULL THEN NULLIF((g.b1 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 END AS t2, CASE WHEN p_idf[3] IS NULL THEN NULLIF((g.b1 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 END AS t3 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_4(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1, CASE WHEN p_idf[2] IS NULL THEN NULLIF((g.b1 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 END AS t2, CASE WHEN p_idf[3] IS NULL THEN NULLIF((g.b1 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 END AS t3, CASE WHEN p_idf[4] IS NULL THEN NULLIF((g.b1 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 END AS t4 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_5(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1, CASE WHEN p_idf[2] IS NULL THEN NULLIF((g.b1 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 END AS t2, CASE WHEN p_idf[3] IS NULL THEN NULLIF((g.b1 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 END AS t3, CASE WHEN p_idf[4] IS NULL THEN NULLIF((g.b1 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 END AS t4, CASE WHEN p_idf[5] IS NULL THEN NULLIF((g.b1 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 END AS t5 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_6(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1, CASE WHEN p_idf[2] IS NULL THEN NULLIF((g.b1 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 END AS t2, CASE WHEN p_idf[3] IS NULL THEN NULLIF((g.b1 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 END AS t3, CASE WHEN p_idf[4] IS NULL THEN NULLIF((g.b1 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 END AS t4, CASE WHEN p_idf[5] IS NULL THEN NULLIF((g.b1 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 END AS t5, CASE WHEN p_idf[6] IS NULL THEN NULLIF((g.b1 >> 45) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 END AS t6 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_7(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1, CASE WHEN p_idf[2] IS NULL THEN NULLIF((g.b1 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 END AS t2, CASE WHEN p_idf[3] IS NULL THEN NULLIF((g.b1 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 END AS t3, CASE WHEN p_idf[4] IS NULL THEN NULLIF((g.b1 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 END AS t4, CASE WHEN p_idf[5] IS NULL THEN NULLIF((g.b1 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 END AS t5, CASE WHEN p_idf[6] IS NULL THEN NULLIF((g.b1 >> 45) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 END AS t6, CASE WHEN p_idf[7] IS NULL THEN NULLIF((g.b1 >> 54) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 END AS t7 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_8(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1, CASE WHEN p_idf[2] IS NULL THEN NULLIF((g.b1 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 END AS t2, CASE WHEN p_idf[3] IS NULL THEN NULLIF((g.b1 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 END AS t3, CASE WHEN p_idf[4] IS NULL THEN NULLIF((g.b1 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 END AS t4, CASE WHEN p_idf[5] IS NULL THEN NULLIF((g.b1 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 END AS t5, CASE WHEN p_idf[6] IS NULL THEN NULLIF((g.b1 >> 45) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 END AS t6, CASE WHEN p_idf[7] IS NULL THEN NULLIF((g.b1 >> 54) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 END AS t7, CASE WHEN p_idf[8] IS NULL THEN NULLIF((g.b2 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 END AS t8 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_9(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1, CASE WHEN p_idf[2] IS NULL THEN NULLIF((g.b1 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 END AS t2, CASE WHEN p_idf[3] IS NULL THEN NULLIF((g.b1 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 END AS t3, CASE WHEN p_idf[4] IS NULL THEN NULLIF((g.b1 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 END AS t4, CASE WHEN p_idf[5] IS NULL THEN NULLIF((g.b1 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 END AS t5, CASE WHEN p_idf[6] IS NULL THEN NULLIF((g.b1 >> 45) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 END AS t6, CASE WHEN p_idf[7] IS NULL THEN NULLIF((g.b1 >> 54) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 END AS t7, CASE WHEN p_idf[8] IS NULL THEN NULLIF((g.b2 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 END AS t8, CASE WHEN p_idf[9] IS NULL THEN NULLIF((g.b2 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 END AS t9 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_10(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1, CASE WHEN p_idf[2] IS NULL THEN NULLIF((g.b1 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 END AS t2, CASE WHEN p_idf[3] IS NULL THEN NULLIF((g.b1 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 END AS t3, CASE WHEN p_idf[4] IS NULL THEN NULLIF((g.b1 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 END AS t4, CASE WHEN p_idf[5] IS NULL THEN NULLIF((g.b1 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 END AS t5, CASE WHEN p_idf[6] IS NULL THEN NULLIF((g.b1 >> 45) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 END AS t6, CASE WHEN p_idf[7] IS NULL THEN NULLIF((g.b1 >> 54) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 END AS t7, CASE WHEN p_idf[8] IS NULL THEN NULLIF((g.b2 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 END AS t8, CASE WHEN p_idf[9] IS NULL THEN NULLIF((g.b2 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 END AS t9, CASE WHEN p_idf[10] IS NULL THEN NULLIF((g.b2 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[10] AND p.id = g.id)::float8 END AS t10 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_11(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1, CASE WHEN p_idf[2] IS NULL THEN NULLIF((g.b1 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 END AS t2, CASE WHEN p_idf[3] IS NULL THEN NULLIF((g.b1 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 END AS t3, CASE WHEN p_idf[4] IS NULL THEN NULLIF((g.b1 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 END AS t4, CASE WHEN p_idf[5] IS NULL THEN NULLIF((g.b1 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 END AS t5, CASE WHEN p_idf[6] IS NULL THEN NULLIF((g.b1 >> 45) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 END AS t6, CASE WHEN p_idf[7] IS NULL THEN NULLIF((g.b1 >> 54) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 END AS t7, CASE WHEN p_idf[8] IS NULL THEN NULLIF((g.b2 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 END AS t8, CASE WHEN p_idf[9] IS NULL THEN NULLIF((g.b2 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 END AS t9, CASE WHEN p_idf[10] IS NULL THEN NULLIF((g.b2 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[10] AND p.id = g.id)::float8 END AS t10, CASE WHEN p_idf[11] IS NULL THEN NULLIF((g.b2 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[11] AND p.id = g.id)::float8 END AS t11 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_12(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1, CASE WHEN p_idf[2] IS NULL THEN NULLIF((g.b1 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 END AS t2, CASE WHEN p_idf[3] IS NULL THEN NULLIF((g.b1 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 END AS t3, CASE WHEN p_idf[4] IS NULL THEN NULLIF((g.b1 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 END AS t4, CASE WHEN p_idf[5] IS NULL THEN NULLIF((g.b1 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 END AS t5, CASE WHEN p_idf[6] IS NULL THEN NULLIF((g.b1 >> 45) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 END AS t6, CASE WHEN p_idf[7] IS NULL THEN NULLIF((g.b1 >> 54) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 END AS t7, CASE WHEN p_idf[8] IS NULL THEN NULLIF((g.b2 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 END AS t8, CASE WHEN p_idf[9] IS NULL THEN NULLIF((g.b2 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 END AS t9, CASE WHEN p_idf[10] IS NULL THEN NULLIF((g.b2 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[10] AND p.id = g.id)::float8 END AS t10, CASE WHEN p_idf[11] IS NULL THEN NULLIF((g.b2 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[11] AND p.id = g.id)::float8 END AS t11, CASE WHEN p_idf[12] IS NULL THEN NULLIF((g.b2 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[12] AND p.id = g.id)::float8 END AS t12 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_13(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1, CASE WHEN p_idf[2] IS NULL THEN NULLIF((g.b1 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 END AS t2, CASE WHEN p_idf[3] IS NULL THEN NULLIF((g.b1 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 END AS t3, CASE WHEN p_idf[4] IS NULL THEN NULLIF((g.b1 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 END AS t4, CASE WHEN p_idf[5] IS NULL THEN NULLIF((g.b1 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 END AS t5, CASE WHEN p_idf[6] IS NULL THEN NULLIF((g.b1 >> 45) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 END AS t6, CASE WHEN p_idf[7] IS NULL THEN NULLIF((g.b1 >> 54) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 END AS t7, CASE WHEN p_idf[8] IS NULL THEN NULLIF((g.b2 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 END AS t8, CASE WHEN p_idf[9] IS NULL THEN NULLIF((g.b2 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 END AS t9, CASE WHEN p_idf[10] IS NULL THEN NULLIF((g.b2 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[10] AND p.id = g.id)::float8 END AS t10, CASE WHEN p_idf[11] IS NULL THEN NULLIF((g.b2 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[11] AND p.id = g.id)::float8 END AS t11, CASE WHEN p_idf[12] IS NULL THEN NULLIF((g.b2 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[12] AND p.id = g.id)::float8 END AS t12, CASE WHEN p_idf[13] IS NULL THEN NULLIF((g.b2 >> 45) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[13] AND p.id = g.id)::float8 END AS t13 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_14(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1, CASE WHEN p_idf[2] IS NULL THEN NULLIF((g.b1 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 END AS t2, CASE WHEN p_idf[3] IS NULL THEN NULLIF((g.b1 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 END AS t3, CASE WHEN p_idf[4] IS NULL THEN NULLIF((g.b1 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 END AS t4, CASE WHEN p_idf[5] IS NULL THEN NULLIF((g.b1 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 END AS t5, CASE WHEN p_idf[6] IS NULL THEN NULLIF((g.b1 >> 45) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 END AS t6, CASE WHEN p_idf[7] IS NULL THEN NULLIF((g.b1 >> 54) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 END AS t7, CASE WHEN p_idf[8] IS NULL THEN NULLIF((g.b2 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 END AS t8, CASE WHEN p_idf[9] IS NULL THEN NULLIF((g.b2 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 END AS t9, CASE WHEN p_idf[10] IS NULL THEN NULLIF((g.b2 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[10] AND p.id = g.id)::float8 END AS t10, CASE WHEN p_idf[11] IS NULL THEN NULLIF((g.b2 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[11] AND p.id = g.id)::float8 END AS t11, CASE WHEN p_idf[12] IS NULL THEN NULLIF((g.b2 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[12] AND p.id = g.id)::float8 END AS t12, CASE WHEN p_idf[13] IS NULL THEN NULLIF((g.b2 >> 45) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[13] AND p.id = g.id)::float8 END AS t13, CASE WHEN p_idf[14] IS NULL THEN NULLIF((g.b2 >> 54) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[14] AND p.id = g.id)::float8 END AS t14 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13, count(m.t14)::float8 AS df14 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13, coalesce(p_idf[14], ln(1 + (greatest(p_n, s.df14) - s.df14 + 0.5) / (s.df14 + 0.5))) AS w14 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0) + coalesce(x.w14 * x.t14 * x.k1p1 / (x.t14 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_15(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 2) AS b3
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1, CASE WHEN p_idf[2] IS NULL THEN NULLIF((g.b1 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 END AS t2, CASE WHEN p_idf[3] IS NULL THEN NULLIF((g.b1 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 END AS t3, CASE WHEN p_idf[4] IS NULL THEN NULLIF((g.b1 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 END AS t4, CASE WHEN p_idf[5] IS NULL THEN NULLIF((g.b1 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 END AS t5, CASE WHEN p_idf[6] IS NULL THEN NULLIF((g.b1 >> 45) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 END AS t6, CASE WHEN p_idf[7] IS NULL THEN NULLIF((g.b1 >> 54) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 END AS t7, CASE WHEN p_idf[8] IS NULL THEN NULLIF((g.b2 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 END AS t8, CASE WHEN p_idf[9] IS NULL THEN NULLIF((g.b2 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 END AS t9, CASE WHEN p_idf[10] IS NULL THEN NULLIF((g.b2 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[10] AND p.id = g.id)::float8 END AS t10, CASE WHEN p_idf[11] IS NULL THEN NULLIF((g.b2 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[11] AND p.id = g.id)::float8 END AS t11, CASE WHEN p_idf[12] IS NULL THEN NULLIF((g.b2 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[12] AND p.id = g.id)::float8 END AS t12, CASE WHEN p_idf[13] IS NULL THEN NULLIF((g.b2 >> 45) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[13] AND p.id = g.id)::float8 END AS t13, CASE WHEN p_idf[14] IS NULL THEN NULLIF((g.b2 >> 54) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[14] AND p.id = g.id)::float8 END AS t14, CASE WHEN p_idf[15] IS NULL THEN NULLIF((g.b3 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[15] AND p.id = g.id)::float8 END AS t15 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13, count(m.t14)::float8 AS df14, count(m.t15)::float8 AS df15 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13, coalesce(p_idf[14], ln(1 + (greatest(p_n, s.df14) - s.df14 + 0.5) / (s.df14 + 0.5))) AS w14, coalesce(p_idf[15], ln(1 + (greatest(p_n, s.df15) - s.df15 + 0.5) / (s.df15 + 0.5))) AS w15 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0) + coalesce(x.w14 * x.t14 * x.k1p1 / (x.t14 + x.norm), 0) + coalesce(x.w15 * x.t15 * x.k1p1 / (x.t15 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_probecommon_16(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 2) AS b3
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , CASE WHEN p_idf[1] IS NULL THEN NULLIF((g.b1 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[1] AND p.id = g.id)::float8 END AS t1, CASE WHEN p_idf[2] IS NULL THEN NULLIF((g.b1 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[2] AND p.id = g.id)::float8 END AS t2, CASE WHEN p_idf[3] IS NULL THEN NULLIF((g.b1 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[3] AND p.id = g.id)::float8 END AS t3, CASE WHEN p_idf[4] IS NULL THEN NULLIF((g.b1 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[4] AND p.id = g.id)::float8 END AS t4, CASE WHEN p_idf[5] IS NULL THEN NULLIF((g.b1 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[5] AND p.id = g.id)::float8 END AS t5, CASE WHEN p_idf[6] IS NULL THEN NULLIF((g.b1 >> 45) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[6] AND p.id = g.id)::float8 END AS t6, CASE WHEN p_idf[7] IS NULL THEN NULLIF((g.b1 >> 54) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[7] AND p.id = g.id)::float8 END AS t7, CASE WHEN p_idf[8] IS NULL THEN NULLIF((g.b2 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[8] AND p.id = g.id)::float8 END AS t8, CASE WHEN p_idf[9] IS NULL THEN NULLIF((g.b2 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[9] AND p.id = g.id)::float8 END AS t9, CASE WHEN p_idf[10] IS NULL THEN NULLIF((g.b2 >> 18) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[10] AND p.id = g.id)::float8 END AS t10, CASE WHEN p_idf[11] IS NULL THEN NULLIF((g.b2 >> 27) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[11] AND p.id = g.id)::float8 END AS t11, CASE WHEN p_idf[12] IS NULL THEN NULLIF((g.b2 >> 36) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[12] AND p.id = g.id)::float8 END AS t12, CASE WHEN p_idf[13] IS NULL THEN NULLIF((g.b2 >> 45) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[13] AND p.id = g.id)::float8 END AS t13, CASE WHEN p_idf[14] IS NULL THEN NULLIF((g.b2 >> 54) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[14] AND p.id = g.id)::float8 END AS t14, CASE WHEN p_idf[15] IS NULL THEN NULLIF((g.b3 >> 0) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[15] AND p.id = g.id)::float8 END AS t15, CASE WHEN p_idf[16] IS NULL THEN NULLIF((g.b3 >> 9) & 511, 0)::float8 ELSE (SELECT p.tf FROM search_index.postings p WHERE p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = p_lexemes[16] AND p.id = g.id)::float8 END AS t16 FROM g
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13, count(m.t14)::float8 AS df14, count(m.t15)::float8 AS df15, count(m.t16)::float8 AS df16 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13, coalesce(p_idf[14], ln(1 + (greatest(p_n, s.df14) - s.df14 + 0.5) / (s.df14 + 0.5))) AS w14, coalesce(p_idf[15], ln(1 + (greatest(p_n, s.df15) - s.df15 + 0.5) / (s.df15 + 0.5))) AS w15, coalesce(p_idf[16], ln(1 + (greatest(p_n, s.df16) - s.df16 + 0.5) / (s.df16 + 0.5))) AS w16 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0) + coalesce(x.w14 * x.t14 * x.k1p1 / (x.t14 + x.norm), 0) + coalesce(x.w15 * x.t15 * x.k1p1 / (x.t15 + x.norm), 0) + coalesce(x.w16 * x.t16 * x.k1p1 / (x.t16 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_1(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_2(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 9) & 511, 0)::float8 AS t2 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_3(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 9) & 511, 0)::float8 AS t2, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 18) & 511, 0)::float8 AS t3 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_4(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 9) & 511, 0)::float8 AS t2, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 18) & 511, 0)::float8 AS t3, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 27) & 511, 0)::float8 AS t4 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_5(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 9) & 511, 0)::float8 AS t2, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 18) & 511, 0)::float8 AS t3, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 27) & 511, 0)::float8 AS t4, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 36) & 511, 0)::float8 AS t5 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_6(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 9) & 511, 0)::float8 AS t2, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 18) & 511, 0)::float8 AS t3, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 27) & 511, 0)::float8 AS t4, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 36) & 511, 0)::float8 AS t5, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 45) & 511, 0)::float8 AS t6 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_7(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) AS b1
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 9) & 511, 0)::float8 AS t2, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 18) & 511, 0)::float8 AS t3, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 27) & 511, 0)::float8 AS t4, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 36) & 511, 0)::float8 AS t5, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 45) & 511, 0)::float8 AS t6, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 54) & 511, 0)::float8 AS t7 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_8(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 9) & 511, 0)::float8 AS t2, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 18) & 511, 0)::float8 AS t3, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 27) & 511, 0)::float8 AS t4, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 36) & 511, 0)::float8 AS t5, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 45) & 511, 0)::float8 AS t6, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 54) & 511, 0)::float8 AS t7, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 0) & 511, 0)::float8 AS t8 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_9(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 9) & 511, 0)::float8 AS t2, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 18) & 511, 0)::float8 AS t3, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 27) & 511, 0)::float8 AS t4, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 36) & 511, 0)::float8 AS t5, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 45) & 511, 0)::float8 AS t6, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 54) & 511, 0)::float8 AS t7, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 0) & 511, 0)::float8 AS t8, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 9) & 511, 0)::float8 AS t9 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_10(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 9) & 511, 0)::float8 AS t2, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 18) & 511, 0)::float8 AS t3, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 27) & 511, 0)::float8 AS t4, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 36) & 511, 0)::float8 AS t5, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 45) & 511, 0)::float8 AS t6, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 54) & 511, 0)::float8 AS t7, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 0) & 511, 0)::float8 AS t8, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 9) & 511, 0)::float8 AS t9, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 18) & 511, 0)::float8 AS t10 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_11(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 9) & 511, 0)::float8 AS t2, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 18) & 511, 0)::float8 AS t3, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 27) & 511, 0)::float8 AS t4, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 36) & 511, 0)::float8 AS t5, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 45) & 511, 0)::float8 AS t6, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 54) & 511, 0)::float8 AS t7, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 0) & 511, 0)::float8 AS t8, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 9) & 511, 0)::float8 AS t9, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 18) & 511, 0)::float8 AS t10, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 27) & 511, 0)::float8 AS t11 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_12(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 9) & 511, 0)::float8 AS t2, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 18) & 511, 0)::float8 AS t3, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 27) & 511, 0)::float8 AS t4, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 36) & 511, 0)::float8 AS t5, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 45) & 511, 0)::float8 AS t6, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 54) & 511, 0)::float8 AS t7, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 0) & 511, 0)::float8 AS t8, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 9) & 511, 0)::float8 AS t9, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 18) & 511, 0)::float8 AS t10, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 27) & 511, 0)::float8 AS t11, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 36) & 511, 0)::float8 AS t12 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_13(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 9) & 511, 0)::float8 AS t2, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 18) & 511, 0)::float8 AS t3, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 27) & 511, 0)::float8 AS t4, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 36) & 511, 0)::float8 AS t5, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 45) & 511, 0)::float8 AS t6, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 54) & 511, 0)::float8 AS t7, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 0) & 511, 0)::float8 AS t8, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 9) & 511, 0)::float8 AS t9, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 18) & 511, 0)::float8 AS t10, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 27) & 511, 0)::float8 AS t11, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 36) & 511, 0)::float8 AS t12, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 45) & 511, 0)::float8 AS t13 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_14(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 9) & 511, 0)::float8 AS t2, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 18) & 511, 0)::float8 AS t3, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 27) & 511, 0)::float8 AS t4, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 36) & 511, 0)::float8 AS t5, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 45) & 511, 0)::float8 AS t6, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 54) & 511, 0)::float8 AS t7, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 0) & 511, 0)::float8 AS t8, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 9) & 511, 0)::float8 AS t9, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 18) & 511, 0)::float8 AS t10, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 27) & 511, 0)::float8 AS t11, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 36) & 511, 0)::float8 AS t12, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 45) & 511, 0)::float8 AS t13, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 54) & 511, 0)::float8 AS t14 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13, count(m.t14)::float8 AS df14 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13, coalesce(p_idf[14], ln(1 + (greatest(p_n, s.df14) - s.df14 + 0.5) / (s.df14 + 0.5))) AS w14 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0) + coalesce(x.w14 * x.t14 * x.k1p1 / (x.t14 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_15(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 2) AS b3
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 2) AS b3
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 9) & 511, 0)::float8 AS t2, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 18) & 511, 0)::float8 AS t3, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 27) & 511, 0)::float8 AS t4, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 36) & 511, 0)::float8 AS t5, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 45) & 511, 0)::float8 AS t6, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 54) & 511, 0)::float8 AS t7, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 0) & 511, 0)::float8 AS t8, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 9) & 511, 0)::float8 AS t9, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 18) & 511, 0)::float8 AS t10, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 27) & 511, 0)::float8 AS t11, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 36) & 511, 0)::float8 AS t12, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 45) & 511, 0)::float8 AS t13, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 54) & 511, 0)::float8 AS t14, NULLIF(((coalesce(g.b3, 0) | coalesce(c.b3, 0)) >> 0) & 511, 0)::float8 AS t15 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13, count(m.t14)::float8 AS df14, count(m.t15)::float8 AS df15 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13, coalesce(p_idf[14], ln(1 + (greatest(p_n, s.df14) - s.df14 + 0.5) / (s.df14 + 0.5))) AS w14, coalesce(p_idf[15], ln(1 + (greatest(p_n, s.df15) - s.df15 + 0.5) / (s.df15 + 0.5))) AS w15 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0) + coalesce(x.w14 * x.t14 * x.k1p1 / (x.t14 + x.norm), 0) + coalesce(x.w15 * x.t15 * x.k1p1 / (x.t15 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_hashcommon_16(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH g AS (
    SELECT p.id, max(p.dl) AS dl , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 2) AS b3
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NULL
     GROUP BY p.id
  ), c AS (
    SELECT p.id , bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 0) AS b1, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 1) AS b2, bit_or(p.tf::int8 << (9 * ((q.o - 1) % 7))::int4) FILTER (WHERE (q.o - 1) / 7 = 2) AS b3
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS q(l, i, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.i IS NOT NULL AND p.id IN (SELECT g.id FROM g)
     GROUP BY p.id
  ), m AS MATERIALIZED (
    SELECT g.id, g.dl::float8 AS dl , NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 0) & 511, 0)::float8 AS t1, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 9) & 511, 0)::float8 AS t2, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 18) & 511, 0)::float8 AS t3, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 27) & 511, 0)::float8 AS t4, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 36) & 511, 0)::float8 AS t5, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 45) & 511, 0)::float8 AS t6, NULLIF(((coalesce(g.b1, 0) | coalesce(c.b1, 0)) >> 54) & 511, 0)::float8 AS t7, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 0) & 511, 0)::float8 AS t8, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 9) & 511, 0)::float8 AS t9, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 18) & 511, 0)::float8 AS t10, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 27) & 511, 0)::float8 AS t11, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 36) & 511, 0)::float8 AS t12, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 45) & 511, 0)::float8 AS t13, NULLIF(((coalesce(g.b2, 0) | coalesce(c.b2, 0)) >> 54) & 511, 0)::float8 AS t14, NULLIF(((coalesce(g.b3, 0) | coalesce(c.b3, 0)) >> 0) & 511, 0)::float8 AS t15, NULLIF(((coalesce(g.b3, 0) | coalesce(c.b3, 0)) >> 9) & 511, 0)::float8 AS t16 FROM g LEFT JOIN c ON c.id = g.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13, count(m.t14)::float8 AS df14, count(m.t15)::float8 AS df15, count(m.t16)::float8 AS df16 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13, coalesce(p_idf[14], ln(1 + (greatest(p_n, s.df14) - s.df14 + 0.5) / (s.df14 + 0.5))) AS w14, coalesce(p_idf[15], ln(1 + (greatest(p_n, s.df15) - s.df15 + 0.5) / (s.df15 + 0.5))) AS w15, coalesce(p_idf[16], ln(1 + (greatest(p_n, s.df16) - s.df16 + 0.5) / (s.df16 + 0.5))) AS w16 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0) + coalesce(x.w14 * x.t14 * x.k1p1 / (x.t14 + x.norm), 0) + coalesce(x.w15 * x.t15 * x.k1p1 / (x.t15 + x.norm), 0) + coalesce(x.w16 * x.t16 * x.k1p1 / (x.t16 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_1(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) >> 0) & 511, 0)::float8 AS t1
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_2(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) >> 0) & 511, 0)::float8 AS t1, NULLIF((bit_or(u.b) >> 9) & 511, 0)::float8 AS t2
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_3(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) >> 0) & 511, 0)::float8 AS t1, NULLIF((bit_or(u.b) >> 9) & 511, 0)::float8 AS t2, NULLIF((bit_or(u.b) >> 18) & 511, 0)::float8 AS t3
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_4(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) >> 0) & 511, 0)::float8 AS t1, NULLIF((bit_or(u.b) >> 9) & 511, 0)::float8 AS t2, NULLIF((bit_or(u.b) >> 18) & 511, 0)::float8 AS t3, NULLIF((bit_or(u.b) >> 27) & 511, 0)::float8 AS t4
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_5(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) >> 0) & 511, 0)::float8 AS t1, NULLIF((bit_or(u.b) >> 9) & 511, 0)::float8 AS t2, NULLIF((bit_or(u.b) >> 18) & 511, 0)::float8 AS t3, NULLIF((bit_or(u.b) >> 27) & 511, 0)::float8 AS t4, NULLIF((bit_or(u.b) >> 36) & 511, 0)::float8 AS t5
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_6(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) >> 0) & 511, 0)::float8 AS t1, NULLIF((bit_or(u.b) >> 9) & 511, 0)::float8 AS t2, NULLIF((bit_or(u.b) >> 18) & 511, 0)::float8 AS t3, NULLIF((bit_or(u.b) >> 27) & 511, 0)::float8 AS t4, NULLIF((bit_or(u.b) >> 36) & 511, 0)::float8 AS t5, NULLIF((bit_or(u.b) >> 45) & 511, 0)::float8 AS t6
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_7(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) >> 0) & 511, 0)::float8 AS t1, NULLIF((bit_or(u.b) >> 9) & 511, 0)::float8 AS t2, NULLIF((bit_or(u.b) >> 18) & 511, 0)::float8 AS t3, NULLIF((bit_or(u.b) >> 27) & 511, 0)::float8 AS t4, NULLIF((bit_or(u.b) >> 36) & 511, 0)::float8 AS t5, NULLIF((bit_or(u.b) >> 45) & 511, 0)::float8 AS t6, NULLIF((bit_or(u.b) >> 54) & 511, 0)::float8 AS t7
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_8(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 0) & 511, 0)::float8 AS t1, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 9) & 511, 0)::float8 AS t2, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 18) & 511, 0)::float8 AS t3, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 27) & 511, 0)::float8 AS t4, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 36) & 511, 0)::float8 AS t5, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 45) & 511, 0)::float8 AS t6, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 54) & 511, 0)::float8 AS t7, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 0) & 511, 0)::float8 AS t8
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_9(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 0) & 511, 0)::float8 AS t1, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 9) & 511, 0)::float8 AS t2, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 18) & 511, 0)::float8 AS t3, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 27) & 511, 0)::float8 AS t4, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 36) & 511, 0)::float8 AS t5, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 45) & 511, 0)::float8 AS t6, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 54) & 511, 0)::float8 AS t7, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 0) & 511, 0)::float8 AS t8, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 9) & 511, 0)::float8 AS t9
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_10(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 0) & 511, 0)::float8 AS t1, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 9) & 511, 0)::float8 AS t2, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 18) & 511, 0)::float8 AS t3, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 27) & 511, 0)::float8 AS t4, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 36) & 511, 0)::float8 AS t5, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 45) & 511, 0)::float8 AS t6, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 54) & 511, 0)::float8 AS t7, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 0) & 511, 0)::float8 AS t8, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 9) & 511, 0)::float8 AS t9, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 18) & 511, 0)::float8 AS t10
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_11(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 0) & 511, 0)::float8 AS t1, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 9) & 511, 0)::float8 AS t2, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 18) & 511, 0)::float8 AS t3, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 27) & 511, 0)::float8 AS t4, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 36) & 511, 0)::float8 AS t5, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 45) & 511, 0)::float8 AS t6, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 54) & 511, 0)::float8 AS t7, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 0) & 511, 0)::float8 AS t8, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 9) & 511, 0)::float8 AS t9, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 18) & 511, 0)::float8 AS t10, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 27) & 511, 0)::float8 AS t11
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_12(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 0) & 511, 0)::float8 AS t1, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 9) & 511, 0)::float8 AS t2, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 18) & 511, 0)::float8 AS t3, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 27) & 511, 0)::float8 AS t4, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 36) & 511, 0)::float8 AS t5, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 45) & 511, 0)::float8 AS t6, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 54) & 511, 0)::float8 AS t7, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 0) & 511, 0)::float8 AS t8, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 9) & 511, 0)::float8 AS t9, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 18) & 511, 0)::float8 AS t10, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 27) & 511, 0)::float8 AS t11, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 36) & 511, 0)::float8 AS t12
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_13(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 0) & 511, 0)::float8 AS t1, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 9) & 511, 0)::float8 AS t2, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 18) & 511, 0)::float8 AS t3, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 27) & 511, 0)::float8 AS t4, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 36) & 511, 0)::float8 AS t5, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 45) & 511, 0)::float8 AS t6, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 54) & 511, 0)::float8 AS t7, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 0) & 511, 0)::float8 AS t8, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 9) & 511, 0)::float8 AS t9, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 18) & 511, 0)::float8 AS t10, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 27) & 511, 0)::float8 AS t11, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 36) & 511, 0)::float8 AS t12, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 45) & 511, 0)::float8 AS t13
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_14(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 0) & 511, 0)::float8 AS t1, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 9) & 511, 0)::float8 AS t2, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 18) & 511, 0)::float8 AS t3, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 27) & 511, 0)::float8 AS t4, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 36) & 511, 0)::float8 AS t5, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 45) & 511, 0)::float8 AS t6, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 54) & 511, 0)::float8 AS t7, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 0) & 511, 0)::float8 AS t8, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 9) & 511, 0)::float8 AS t9, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 18) & 511, 0)::float8 AS t10, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 27) & 511, 0)::float8 AS t11, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 36) & 511, 0)::float8 AS t12, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 45) & 511, 0)::float8 AS t13, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 54) & 511, 0)::float8 AS t14
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13, count(m.t14)::float8 AS df14 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13, coalesce(p_idf[14], ln(1 + (greatest(p_n, s.df14) - s.df14 + 0.5) / (s.df14 + 0.5))) AS w14 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0) + coalesce(x.w14 * x.t14 * x.k1p1 / (x.t14 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_15(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 0) & 511, 0)::float8 AS t1, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 9) & 511, 0)::float8 AS t2, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 18) & 511, 0)::float8 AS t3, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 27) & 511, 0)::float8 AS t4, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 36) & 511, 0)::float8 AS t5, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 45) & 511, 0)::float8 AS t6, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 54) & 511, 0)::float8 AS t7, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 0) & 511, 0)::float8 AS t8, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 9) & 511, 0)::float8 AS t9, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 18) & 511, 0)::float8 AS t10, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 27) & 511, 0)::float8 AS t11, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 36) & 511, 0)::float8 AS t12, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 45) & 511, 0)::float8 AS t13, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 54) & 511, 0)::float8 AS t14, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 2) >> 0) & 511, 0)::float8 AS t15
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13, count(m.t14)::float8 AS df14, count(m.t15)::float8 AS df15 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13, coalesce(p_idf[14], ln(1 + (greatest(p_n, s.df14) - s.df14 + 0.5) / (s.df14 + 0.5))) AS w14, coalesce(p_idf[15], ln(1 + (greatest(p_n, s.df15) - s.df15 + 0.5) / (s.df15 + 0.5))) AS w15 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0) + coalesce(x.w14 * x.t14 * x.k1p1 / (x.t14 + x.norm), 0) + coalesce(x.w15 * x.t15 * x.k1p1 / (x.t15 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;

CREATE OR REPLACE FUNCTION search_index.rank_postings_semijoin_16(p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision, p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision) LANGUAGE sql STABLE AS $body$
  WITH q AS MATERIALIZED (
    SELECT x.l, (9 * ((x.o - 1) % 7))::int4 AS sh, ((x.o - 1) / 7)::int4 AS wd, x.i IS NULL AS sel
      FROM unnest(p_lexemes, p_idf) WITH ORDINALITY AS x(l, i, o)
  ), sp AS MATERIALIZED (
    SELECT p.id, p.dl, p.tf::int8 << q.sh AS b, q.wd
      FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     WHERE q.sel
  ), m AS MATERIALIZED (
    SELECT u.id, max(u.dl)::float8 AS dl , NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 0) & 511, 0)::float8 AS t1, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 9) & 511, 0)::float8 AS t2, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 18) & 511, 0)::float8 AS t3, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 27) & 511, 0)::float8 AS t4, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 36) & 511, 0)::float8 AS t5, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 45) & 511, 0)::float8 AS t6, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 0) >> 54) & 511, 0)::float8 AS t7, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 0) & 511, 0)::float8 AS t8, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 9) & 511, 0)::float8 AS t9, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 18) & 511, 0)::float8 AS t10, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 27) & 511, 0)::float8 AS t11, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 36) & 511, 0)::float8 AS t12, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 45) & 511, 0)::float8 AS t13, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 1) >> 54) & 511, 0)::float8 AS t14, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 2) >> 0) & 511, 0)::float8 AS t15, NULLIF((bit_or(u.b) FILTER (WHERE u.wd = 2) >> 9) & 511, 0)::float8 AS t16
      FROM (
        SELECT sp.id, sp.dl, sp.b, sp.wd FROM sp
        UNION ALL
        SELECT p.id, p.dl, p.tf::int8 << q.sh, q.wd
          FROM q JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
         WHERE NOT q.sel AND p.id IN (SELECT sp.id FROM sp)
      ) u
     GROUP BY u.id
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl , count(m.t1)::float8 AS df1, count(m.t2)::float8 AS df2, count(m.t3)::float8 AS df3, count(m.t4)::float8 AS df4, count(m.t5)::float8 AS df5, count(m.t6)::float8 AS df6, count(m.t7)::float8 AS df7, count(m.t8)::float8 AS df8, count(m.t9)::float8 AS df9, count(m.t10)::float8 AS df10, count(m.t11)::float8 AS df11, count(m.t12)::float8 AS df12, count(m.t13)::float8 AS df13, count(m.t14)::float8 AS df14, count(m.t15)::float8 AS df15, count(m.t16)::float8 AS df16 FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 , coalesce(p_idf[1], ln(1 + (greatest(p_n, s.df1) - s.df1 + 0.5) / (s.df1 + 0.5))) AS w1, coalesce(p_idf[2], ln(1 + (greatest(p_n, s.df2) - s.df2 + 0.5) / (s.df2 + 0.5))) AS w2, coalesce(p_idf[3], ln(1 + (greatest(p_n, s.df3) - s.df3 + 0.5) / (s.df3 + 0.5))) AS w3, coalesce(p_idf[4], ln(1 + (greatest(p_n, s.df4) - s.df4 + 0.5) / (s.df4 + 0.5))) AS w4, coalesce(p_idf[5], ln(1 + (greatest(p_n, s.df5) - s.df5 + 0.5) / (s.df5 + 0.5))) AS w5, coalesce(p_idf[6], ln(1 + (greatest(p_n, s.df6) - s.df6 + 0.5) / (s.df6 + 0.5))) AS w6, coalesce(p_idf[7], ln(1 + (greatest(p_n, s.df7) - s.df7 + 0.5) / (s.df7 + 0.5))) AS w7, coalesce(p_idf[8], ln(1 + (greatest(p_n, s.df8) - s.df8 + 0.5) / (s.df8 + 0.5))) AS w8, coalesce(p_idf[9], ln(1 + (greatest(p_n, s.df9) - s.df9 + 0.5) / (s.df9 + 0.5))) AS w9, coalesce(p_idf[10], ln(1 + (greatest(p_n, s.df10) - s.df10 + 0.5) / (s.df10 + 0.5))) AS w10, coalesce(p_idf[11], ln(1 + (greatest(p_n, s.df11) - s.df11 + 0.5) / (s.df11 + 0.5))) AS w11, coalesce(p_idf[12], ln(1 + (greatest(p_n, s.df12) - s.df12 + 0.5) / (s.df12 + 0.5))) AS w12, coalesce(p_idf[13], ln(1 + (greatest(p_n, s.df13) - s.df13 + 0.5) / (s.df13 + 0.5))) AS w13, coalesce(p_idf[14], ln(1 + (greatest(p_n, s.df14) - s.df14 + 0.5) / (s.df14 + 0.5))) AS w14, coalesce(p_idf[15], ln(1 + (greatest(p_n, s.df15) - s.df15 + 0.5) / (s.df15 + 0.5))) AS w15, coalesce(p_idf[16], ln(1 + (greatest(p_n, s.df16) - s.df16 + 0.5) / (s.df16 + 0.5))) AS w16 FROM s)
  SELECT x.id, (coalesce(x.w1 * x.t1 * x.k1p1 / (x.t1 + x.norm), 0) + coalesce(x.w2 * x.t2 * x.k1p1 / (x.t2 + x.norm), 0) + coalesce(x.w3 * x.t3 * x.k1p1 / (x.t3 + x.norm), 0) + coalesce(x.w4 * x.t4 * x.k1p1 / (x.t4 + x.norm), 0) + coalesce(x.w5 * x.t5 * x.k1p1 / (x.t5 + x.norm), 0) + coalesce(x.w6 * x.t6 * x.k1p1 / (x.t6 + x.norm), 0) + coalesce(x.w7 * x.t7 * x.k1p1 / (x.t7 + x.norm), 0) + coalesce(x.w8 * x.t8 * x.k1p1 / (x.t8 + x.norm), 0) + coalesce(x.w9 * x.t9 * x.k1p1 / (x.t9 + x.norm), 0) + coalesce(x.w10 * x.t10 * x.k1p1 / (x.t10 + x.norm), 0) + coalesce(x.w11 * x.t11 * x.k1p1 / (x.t11 + x.norm), 0) + coalesce(x.w12 * x.t12 * x.k1p1 / (x.t12 + x.norm), 0) + coalesce(x.w13 * x.t13 * x.k1p1 / (x.t13 + x.norm), 0) + coalesce(x.w14 * x.t14 * x.k1p1 / (x.t14 + x.norm), 0) + coalesce(x.w15 * x.t15 * x.k1p1 / (x.t15 + x.norm), 0) + coalesce(x.w16 * x.t16 * x.k1p1 / (x.t16 + x.norm), 0))::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;
