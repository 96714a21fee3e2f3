-- yieldledger schema, migration 2: the audit trail.
--
-- `journal` holds the double-entry journal (the chart of accounts is in schema/journal_chart.md):
-- one row per entry, in the order posted. An entry is the postings of one event's movements, or
-- of one report of one asset. `postings` is a JSON array of [account, asset, side, wei, memo]
-- with side "D" (debit) or "C" (credit), wei as decimal text and memo saying why (accrual, fee,
-- cover, commit, route, payout, settlement, ...), so SQL can read it with json_each():
--   SELECT j.seq, p.value ->> 0 AS account, p.value ->> 2 AS side, p.value ->> 3 AS wei,
--          p.value ->> 4 AS memo
--   FROM journal j, json_each(j.postings) p;
-- Within every entry, debits equal credits per asset; `yieldledger audit` checks it.
--
-- `hash` makes tampering evident: each event (and each report) row carries
-- SHA-256(previous row's hash, then the row's fields), hex, chained from a genesis hash of the
-- scenario; `yieldledger audit` recomputes both chains and names the first row that breaks.
ALTER TABLE events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN hash TEXT NOT NULL DEFAULT '';

CREATE TABLE journal (
  seq         INTEGER PRIMARY KEY,           -- 1, 2, ... in the order posted
  event_seq   INTEGER REFERENCES events (seq), -- the event that caused it; NULL for a scheduled report
  report_seq  INTEGER,                       -- the report it belongs to; NULL for an event's movements
  postings    TEXT NOT NULL                  -- JSON; `audit` parses and balances every entry
) STRICT;
