-- yieldledger schema, migration 5: the journal in a compact binary form, and `events.id` indexed
-- only where it is given (issue 13).
--
-- Migration 2 stored each journal row's postings as JSON text, about 70 bytes a posting: most of
-- what `run` wrote. From this schema on a row's postings are one BLOB of about 12 bytes a
-- posting, the chart's account names are stored once in `journal_accounts`, and the memos'
-- names once in `journal_memos`. The rows themselves are as before: one per event's movements
-- (a §9.1 drip and the event after it share one), one per report of one asset, in the order
-- posted. `yieldledger journal --db FILE` prints them as rows (CSV, amounts in exact decimal
-- wei), and `yieldledger export --tables journal` writes them to CSV or XLSX.
--
-- The BLOB is the entry's postings one after another, each:
--   byte 0      flags: bit 0 set = debit (clear = credit), bit 1 set = USDB (clear = ETH);
--               bits 2-7 are 0
--   byte 1      memo: journal_memos.code (why the posting exists)
--   varint      the account: journal_accounts.id, unsigned LEB128 (7 bits a byte, least
--               significant group first, high bit set on every byte but the last), at most 5
--               bytes, no redundant trailing 0x80 0x00
--   byte        n, the amount's length in bytes, 1 to 32
--   n bytes     the amount in wei, unsigned big-endian, first byte not 0 (amounts are > 0:
--               zero postings are never written)
-- Within every entry, debits equal credits per asset; `yieldledger audit` decodes every row,
-- refuses any byte outside this format, re-adds each entry, and compares every row and every
-- account name with what a replay of the events writes.
--
-- `journal_accounts` numbers the names in the order of their first posting (1, 2, ...), so a
-- replay numbers them the same way. An existing ledger's JSON rows are converted in place, in
-- order, when this migration runs (engine/storage/migrations.cc): the same rows, postings and
-- names, which `audit` then checks as it checks any ledger.
ALTER TABLE journal RENAME TO journal_json;

-- `events.id` becomes a partial unique index. Migration 1's `id TEXT UNIQUE` indexed every row,
-- the many without an id (NULL) too: an index insert for each event `run` writes. SPEC §8.3's
-- lookups (`WHERE id = ?`) use the partial index. SQLite cannot drop a column constraint, so
-- the table is rebuilt; the old one (renamed, which moves journal_json's reference to it) is
-- dropped once the journal is converted (engine/storage/migrations.cc).
ALTER TABLE events RENAME TO events_v4;
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
  hash     TEXT NOT NULL DEFAULT ''    -- migration 2's chain
) STRICT;
CREATE UNIQUE INDEX events_by_id ON events (id) WHERE id IS NOT NULL;
INSERT INTO events (seq, file, line, id, time_s, time, type, account, asset, amount, "to", value,
                    hash)
  SELECT seq, file, line, id, time_s, time, type, account, asset, amount, "to", value, hash
  FROM events_v4;

CREATE TABLE journal_accounts (
  id    INTEGER PRIMARY KEY,   -- 1, 2, ... in the order of first use
  name  TEXT NOT NULL UNIQUE   -- e.g. 'l2:account:alice', 'l1:buffer:ETH' (schema/journal_chart.md)
) STRICT;

CREATE TABLE journal_memos (
  code  INTEGER PRIMARY KEY,   -- engine/core/journal.h Memo; never renumbered
  name  TEXT NOT NULL UNIQUE
) STRICT;
INSERT INTO journal_memos (code, name) VALUES
  (0, 'deposit'),
  (1, 'route'),
  (2, 'accrual'),
  (3, 'loss'),
  (4, 'fee'),
  (5, 'cover'),
  (6, 'commit'),
  (7, 'distribution'),
  (8, 'price_step'),
  (9, 'settlement'),
  (10, 'transfer'),
  (11, 'claim'),
  (12, 'gas_fee'),
  (13, 'gas_claim'),
  (14, 'gas_penalty'),
  (15, 'withdrawal'),
  (16, 'payout'),
  (17, 'debt_repaid'),
  (18, 'retained'),
  (19, 'protocol_fee'),
  (20, 'hurdle'),
  (21, 'void_share'),
  (22, 'lock'),
  (23, 'drip'),
  (24, 'lock_absorbed'),
  (25, 'socialized'),
  (26, 'rebalance');

-- event_seq: the event that caused the row (NULL for a scheduled report); report_seq: the
-- report it belongs to (NULL for an event's own movements).
CREATE TABLE journal (
  seq         INTEGER PRIMARY KEY,              -- 1, 2, ... in the order posted
  event_seq   INTEGER REFERENCES events (seq),
  report_seq  INTEGER,
  postings    BLOB NOT NULL                     -- the format above
) STRICT;
