-- yieldledger schema, migration 10: an event's own journal row is stored in its events row
-- (issue 13).
--
-- Almost every event posts one journal row of its own (its movements, and under SPEC §9.1 the
-- drip before it), so `run` wrote two rows an event, and SQLite's work per row was the largest
-- part of its time. From this schema on the first journal row an event posts of its own (no
-- report) is kept in the event's row: `journal_seq` its number in the journal, `postings` its
-- bytes (migration 5's format, with migration 7's pairs); both NULL for an event that posted none.
-- Every other row (a report's, scheduled or caused by an event, and an event's own rows after a
-- report it caused) stays in the table renamed `journal_other`, with its number.
--
-- The journal reads as before through the view `journal`: seq, event_seq, report_seq, postings,
-- the same rows with the same numbers (ORDER BY seq for their order). `yieldledger journal`, the
-- exports and `audit` merge the two in order (engine/storage/ledger_store.cc, JournalCursor), and
-- `audit` still compares every row with its replay.
ALTER TABLE events ADD COLUMN journal_seq INTEGER;
ALTER TABLE events ADD COLUMN postings BLOB;

CREATE TEMP TABLE yl_first_own AS
  SELECT min(seq) AS seq, event_seq FROM journal
  WHERE event_seq IS NOT NULL AND report_seq IS NULL GROUP BY event_seq;
UPDATE events SET journal_seq = j.seq, postings = j.postings
  FROM temp.yl_first_own f JOIN journal j ON j.seq = f.seq
  WHERE events.seq = f.event_seq;
DELETE FROM journal WHERE seq IN (SELECT seq FROM temp.yl_first_own);
DROP TABLE temp.yl_first_own;

ALTER TABLE journal RENAME TO journal_other;

CREATE VIEW journal (seq, event_seq, report_seq, postings) AS
  SELECT journal_seq, seq, NULL, postings FROM events WHERE journal_seq IS NOT NULL
  UNION ALL
  SELECT seq, event_seq, report_seq, postings FROM journal_other;
