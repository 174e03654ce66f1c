-- Practices that are large already get their own embedding partition (issue 10 §3 "Speed",
-- session 8): 0115's own_large_practices() with the threshold `mdw ai partitions` uses
-- (OWN_PARTITION_MIN_ROWS in src/repositories/embeddings.repository.ts, 5,000 rows of one table).
--
-- On an empty database (the suite's) and on one where no practice has that many rows this does
-- nothing; on the 1M bench fixture it moves every practice's message embeddings into their own
-- partition and builds each one's graph (bench/SEARCH.md: how long that takes). A second run
-- finds nobody left in the DEFAULT above the threshold: idempotent.
SET LOCAL maintenance_work_mem = '256MB';
SELECT embedding_partitions.own_large_practices(5000);
