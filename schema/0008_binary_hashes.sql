-- yieldledger schema, migration 8: the hash chains' links stored as 32 bytes, not 64 hex digits
-- (issue 13).
--
-- An event row was about 150 bytes, 64 of them its hash in hex. From this schema on `events.hash`
-- and `reports.hash` are BLOBs of the 32 bytes of the SHA-256. The chains themselves do not change
-- (schema/0002_journal_and_hashes.sql): each link is still the hash of the previous link's hex
-- text and the row's fields, and `yieldledger audit` prints the heads in hex as before. SQL shows
-- a link as before with lower(hex(hash)).
--
-- STRICT tables cannot change a column's type, so both tables are rebuilt and their rows copied
-- in order. yl_unhex (engine/storage/migrations.cc, registered just before this migration runs)
-- turns a link of 64 lowercase hex digits into its 32 bytes; any other text (a row changed by
-- hand) is kept as its bytes, so `audit` still finds and names that row. Renaming `events` moves the
-- reference of `journal.event_seq` to the old table, so the journal is copied too (as in
-- migration 5), the same rows and bytes.
ALTER TABLE journal RENAME TO journal_v7;
ALTER TABLE events RENAME TO events_v7;
ALTER TABLE reports RENAME TO reports_v7;

CREATE TABLE events (
  seq      INTEGER PRIMARY KEY,        -- 1, 2, ... in order of application
  file     TEXT NOT NULL,
  line     INTEGER NOT NULL,
  id       TEXT,                       -- NULL when the row had none; unique otherwise (below)
  time_s   INTEGER NOT NULL,           -- parsed time, seconds since 1970 UTC
  time     TEXT NOT NULL,
  type     TEXT NOT NULL,
  account  TEXT NOT NULL,
  asset    TEXT NOT NULL,
  amount   TEXT NOT NULL,
  "to"     TEXT NOT NULL,
  value    TEXT NOT NULL,
  hash     BLOB NOT NULL               -- the chain's link: SHA-256, 32 bytes
) STRICT;
INSERT INTO events (seq, file, line, id, time_s, time, type, account, asset, amount, "to", value,
                    hash)
  SELECT seq, file, line, id, time_s, time, type, account, asset, amount, "to", value,
         yl_unhex(hash)
  FROM events_v7 ORDER BY seq;

-- event_seq: the event that caused the row (NULL for a scheduled report); report_seq: the
-- report it belongs to (NULL for an event's own movements). postings: migration 5's format, with
-- migration 7's pairs.
CREATE TABLE journal (
  seq         INTEGER PRIMARY KEY,              -- 1, 2, ... in the order posted
  event_seq   INTEGER REFERENCES events (seq),
  report_seq  INTEGER,
  postings    BLOB NOT NULL
) STRICT;
INSERT INTO journal (seq, event_seq, report_seq, postings)
  SELECT seq, event_seq, report_seq, postings FROM journal_v7 ORDER BY seq;
-- The old journal first: it refers to the old events table, which goes with it.
DROP TABLE journal_v7;
DROP TABLE events_v7;
CREATE UNIQUE INDEX events_by_id ON events (id) WHERE id IS NOT NULL;

-- Every yield report: one row per report, asset and source (SPEC §7.1 `reports`), the columns in
-- the order migrations 1, 2 and 4 left them.
CREATE TABLE reports (
  seq               INTEGER NOT NULL,  -- report number, 1, 2, ...
  row               INTEGER NOT NULL,  -- source row within the report, file order
  time_s            INTEGER NOT NULL,
  time              TEXT NOT NULL,
  asset             TEXT NOT NULL CHECK (asset IN ('ETH', 'USDB')),
  trigger           TEXT NOT NULL CHECK (trigger IN ('scheduled', 'event')),
  source            TEXT NOT NULL,     -- '' with the four columns below for an asset without sources
  yield_wei         TEXT NOT NULL CHECK (yield_wei GLOB '-[1-9]*' OR yield_wei GLOB '[0-9]*' OR (source = '' AND yield_wei = '')),
  fee_wei           TEXT NOT NULL,
  cover_wei         TEXT NOT NULL,
  committed_wei     TEXT NOT NULL CHECK (committed_wei GLOB '-[1-9]*' OR committed_wei GLOB '[0-9]*' OR (source = '' AND committed_wei = '')),
  debt_before_wei   TEXT NOT NULL,
  debt_after_wei    TEXT NOT NULL,
  t_wei             TEXT NOT NULL CHECK (t_wei GLOB '-[1-9]*' OR t_wei GLOB '[0-9]*'),
  price_before      TEXT NOT NULL,
  price_after       TEXT NOT NULL,
  pending_after_wei TEXT NOT NULL,
  hash              BLOB NOT NULL,     -- the chain's link: SHA-256, 32 bytes
  hurdle_wei        TEXT NOT NULL,     -- migration 4's columns (SPEC v1.2)
  protocol_fee_wei  TEXT NOT NULL,
  void_share_wei    TEXT NOT NULL,
  socialized_wei    TEXT NOT NULL,
  locked_after_wei  TEXT NOT NULL,
  PRIMARY KEY (seq, row)
) STRICT;
INSERT INTO reports
  SELECT seq, row, time_s, time, asset, trigger, source, yield_wei, fee_wei, cover_wei,
         committed_wei, debt_before_wei, debt_after_wei, t_wei, price_before, price_after,
         pending_after_wei, yl_unhex(hash), hurdle_wei, protocol_fee_wei, void_share_wei,
         socialized_wei, locked_after_wei
  FROM reports_v7 ORDER BY seq, row;
DROP TABLE reports_v7;
