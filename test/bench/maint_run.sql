/*
 * test/bench/maint_run.sql: one run of multipartner.run_maintenance() as the
 * operator bench_op, in the maintenance layer of test/bench/run.sh, with
 * what it read.  psql variable finish: COMMIT or ROLLBACK.  Prints tab-
 * separated lines for run.sh:
 *   blk0|blk1  table  blocks   heap, index and toast blocks of the table
 *                              (pg_statio_user_tables) before and after,
 *                              the run's own statistics flushed in between
 *   secs       seconds         the run on the server's clock
 *   counts     kind=n ...      what it returned
 *   stat       table  seq_scan seq_tup_read idx_scan idx_tup_fetch
 *                     index_entries n_tup_ins n_tup_upd
 *                              pg_stat_xact_user_tables inside the run's
 *                              transaction (index_entries: the entries
 *                              its index scans returned, dead ones included)
 */
\set ON_ERROR_STOP 1
\pset footer off
-- the last session's statistics are flushed at its exit
SELECT pg_sleep(0.2) \g /dev/null
SELECT 'blk0', relname,
       heap_blks_read + heap_blks_hit + coalesce(idx_blks_read + idx_blks_hit, 0)
       + coalesce(toast_blks_read + toast_blks_hit, 0) + coalesce(tidx_blks_read + tidx_blks_hit, 0)
  FROM pg_statio_user_tables WHERE schemaname = 'multipartner' ORDER BY 2;
BEGIN;
SELECT clock_timestamp() AS t0 \gset
SELECT string_agg(kind || '=' || count, ' ' ORDER BY kind) AS counts FROM multipartner.run_maintenance() \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) AS secs \gset
SELECT 'secs', :'secs';
SELECT 'counts', :'counts';
SELECT 'stat', t.relname, t.seq_scan, t.seq_tup_read, coalesce(t.idx_scan, 0), coalesce(t.idx_tup_fetch, 0),
       (SELECT coalesce(sum(pg_stat_get_xact_tuples_returned(i.indexrelid)), 0)
          FROM pg_index i WHERE i.indrelid = t.relid),
       t.n_tup_ins, t.n_tup_upd
  FROM pg_stat_xact_user_tables t
 WHERE t.schemaname = 'multipartner'
   AND t.seq_scan + coalesce(t.idx_scan, 0) + t.n_tup_ins + t.n_tup_upd + t.n_tup_del > 0
 ORDER BY 2;
:finish;
-- flushed when the session goes idle after this statement
SELECT pg_stat_force_next_flush() \g /dev/null
SELECT 'blk1', relname,
       heap_blks_read + heap_blks_hit + coalesce(idx_blks_read + idx_blks_hit, 0)
       + coalesce(toast_blks_read + toast_blks_hit, 0) + coalesce(tidx_blks_read + tidx_blks_hit, 0)
  FROM pg_statio_user_tables WHERE schemaname = 'multipartner' ORDER BY 2;
