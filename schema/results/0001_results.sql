-- The sweep results file (RESULTS.db) of `yieldledger sweep` and `merge`, read by `compare`.
-- The contract is RESULTS_SCHEMA.md, beside this file; the README ("Policy lab") describes each
-- metric.
-- Stamped with PRAGMA application_id = 1498174530 ("YLTB") and PRAGMA user_version = 2
-- (1 before the study row `lab`; still read).
CREATE TABLE study (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
CREATE TABLE points (
  point  INTEGER PRIMARY KEY,
  label  TEXT NOT NULL,
  params TEXT NOT NULL
) STRICT;
CREATE TABLE runs (
  point  INTEGER NOT NULL REFERENCES points(point),
  run    INTEGER NOT NULL,
  seed   TEXT NOT NULL,
  events INTEGER NOT NULL,
  PRIMARY KEY (point, run)
) STRICT;
CREATE TABLE metric_info (
  name        TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('int', 'real')),
  unit        TEXT NOT NULL,
  description TEXT NOT NULL
) STRICT;
CREATE TABLE metrics (
  point  INTEGER NOT NULL,
  run    INTEGER NOT NULL,
  name   TEXT NOT NULL REFERENCES metric_info(name),
  cohort TEXT NOT NULL DEFAULT '',
  asset  TEXT NOT NULL DEFAULT '',
  value_int  TEXT,
  value_real REAL,
  PRIMARY KEY (point, run, name, cohort, asset)
) STRICT;
CREATE TABLE series (
  point INTEGER NOT NULL,
  run   INTEGER NOT NULL,
  t     TEXT NOT NULL,
  asset TEXT NOT NULL,
  name  TEXT NOT NULL,
  value_int TEXT NOT NULL,
  PRIMARY KEY (point, run, t, asset, name)
) STRICT;
