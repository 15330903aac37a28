/**
 * Opens a transaction in which PostgreSQL does not JIT-compile. The
 * planner's cost estimates for adgate's few big statements (the sink's
 * arbiter statement, the hourly billing body) pass jit_optimize_above_cost
 * on CTEs and series it cannot size, and compiling took longer than
 * running: 1-2 s a batch against 0.3 s for the write (EXPLAIN ANALYZE: JIT,
 * 70 functions), 32 ms against 12 ms for a billing body. SET LOCAL ends
 * with the transaction; one round trip for both.
 */
export const BEGIN_WITHOUT_JIT = 'BEGIN; SET LOCAL jit = off';
