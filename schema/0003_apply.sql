-- yieldledger schema, migration 3: ledgers that grow (`yieldledger apply`).
--
-- `apply --until TIME` moves the simulation's end past the scenario's; the later end is kept here
-- (NULL: the scenario's own `end`). Replays (`--at`, `audit`, `explain`) use it, and since the
-- scheduled reports keep their grid (start + k·report_every), a replay reproduces the same reports.
ALTER TABLE scenario ADD COLUMN end_extended TEXT;

-- One row per `apply`, for the record: what file was applied, when in the simulation, and with
-- how many events and duplicates.
CREATE TABLE appends (
  seq         INTEGER PRIMARY KEY,
  file        TEXT NOT NULL,
  first_event INTEGER,            -- the seq of its first new event; NULL when all were duplicates
  events      INTEGER NOT NULL,
  duplicates  INTEGER NOT NULL,
  end_time    TEXT NOT NULL       -- the ledger's end after it
) STRICT;
