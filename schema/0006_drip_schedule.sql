-- yieldledger schema, migration 6: the ledger's drip schedule, pinned (issue 10; STYLE §4).
--
-- SPEC §9.1's stream drips "before every event". Until this schema every asset dripped before
-- every event, one journal entry each time. From it on, a new ledger drips before an event only
-- the asset the event touches (both for an event of no one asset), and every asset when the
-- state is read (engine/core/ledger.h, DripSchedule). Drips telescope and their folds into the
-- price compose, so the state at every event boundary, every report and every output value is
-- the same under both; only the journal groups the drip postings differently. `audit` replays a
-- ledger under the schedule it was written with, so a ledger written before this schema keeps
-- 'every_event' (the default below), and its journal still audits as written.
-- The column is not hashed: changing it makes a streamed ledger's replay post different journal
-- rows, which `audit` reports; for any other policy it changes nothing.
ALTER TABLE scenario ADD COLUMN drip_schedule TEXT NOT NULL DEFAULT 'every_event'
  CHECK (drip_schedule IN ('every_event', 'touched'));
