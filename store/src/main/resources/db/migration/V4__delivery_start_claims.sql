-- The deliveries row is the workflow-start outbox. An API process that writes a row kicks its
-- start at once and holds a short claim on it; the background sweeper of every API process takes
-- only rows that are not started and not claimed (or whose claim ran out: the claimer died or
-- gave the row back), so two processes do not both work the same row.
alter table deliveries add column start_claimed_until timestamptz;

-- The sweeper's query: only not-yet-started rows, oldest first; stays tiny as rows get started.
create index deliveries_start_pending on deliveries (created_at) where not workflow_started;
