-- Analytics read paths (issue 11, part 5). The analytics endpoints read finished cases by the
-- time they finished (workflow_performance.created_at), per practice or lab-wide, hold time from
-- state_analytics (by case: idx_state_analytics_case_created), and rework reasons from the
-- workflow's rework messages. Indexes instead of
-- aggregate tables: every question is one range scan over the period asked, and the answers are
-- exact and current (no refresh lag); bench/analytics.bench.ts has the numbers.
CREATE INDEX IF NOT EXISTS idx_workflow_performance_practice_created ON public.workflow_performance (practice_id, created_at);
CREATE INDEX IF NOT EXISTS idx_workflow_performance_created ON public.workflow_performance (created_at);
CREATE INDEX IF NOT EXISTS idx_case_messages_rework
  ON public.case_messages (practice_id, created_at) WHERE metadata ? 'reworkTaskId';
