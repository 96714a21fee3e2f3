-- yieldledger schema, migration 1 (SPEC §8). Never edit a shipped migration: add a new one.
--
-- Money is stored as canonical decimal TEXT (no sign, no leading zeros, < 2^256 so at most 78
-- digits); SQLite's INTEGER is 64-bit and REAL is a float, so neither may hold a wei amount.
-- Signed deltas (yield, committed yield, T) may carry a leading '-'. Never SUM() money in SQL.

-- The scenario as given (SPEC §8.1). One row.
CREATE TABLE scenario (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  name          TEXT NOT NULL,
  file          TEXT NOT NULL,   -- the scenario path as given to `run`
  events_file   TEXT NOT NULL,   -- the `events` value as written
  toml          TEXT NOT NULL,   -- verbatim, so a replay reads exactly what `run` read
  start_time    TEXT NOT NULL,
  end_time      TEXT NOT NULL,
  report_every  TEXT NOT NULL
) STRICT;

-- Every event as given, in the order applied (SPEC §8.1, §8.3).
CREATE TABLE events (
  seq      INTEGER PRIMARY KEY,        -- 1, 2, ... in order of application
  file     TEXT NOT NULL,
  line     INTEGER NOT NULL,
  id       TEXT UNIQUE,                -- NULL when the row had none
  time_s   INTEGER NOT NULL,           -- parsed time, seconds since 1970 UTC
  time     TEXT NOT NULL,
  type     TEXT NOT NULL,
  account  TEXT NOT NULL,
  asset    TEXT NOT NULL,
  amount   TEXT NOT NULL,
  "to"     TEXT NOT NULL,
  value    TEXT NOT NULL
) STRICT;

-- Every yield report: one row per report, asset and source (source '' for an asset without
-- sources), in the order they ran (SPEC §7.1 `reports`).
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
  PRIMARY KEY (seq, row)
) STRICT;

-- The state after the last event and report, as `balances`, `ledgers` and `sources` print it
-- without --at. It is derived: a replay of `events` rebuilds it exactly (and --at does so).
CREATE TABLE final_balances (
  ord            INTEGER PRIMARY KEY,  -- output row order (SPEC §7.1)
  account        TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('user', 'dapp', 'system')),
  asset          TEXT NOT NULL CHECK (asset IN ('ETH', 'USDB')),
  mode           TEXT NOT NULL CHECK (mode IN ('AUTOMATIC', 'VOID', 'CLAIMABLE')),
  balance_wei    TEXT NOT NULL CHECK (balance_wei <> '' AND balance_wei NOT GLOB '*[^0-9]*' AND (balance_wei = '0' OR balance_wei NOT GLOB '0*') AND length(balance_wei) <= 78),
  claimable_wei  TEXT NOT NULL CHECK (claimable_wei <> '' AND claimable_wei NOT GLOB '*[^0-9]*' AND (claimable_wei = '0' OR claimable_wei NOT GLOB '0*') AND length(claimable_wei) <= 78),
  shares         TEXT NOT NULL CHECK (shares <> '' AND shares NOT GLOB '*[^0-9]*' AND (shares = '0' OR shares NOT GLOB '0*') AND length(shares) <= 78),
  remainder_wei  TEXT NOT NULL CHECK (remainder_wei <> '' AND remainder_wei NOT GLOB '*[^0-9]*' AND (remainder_wei = '0' OR remainder_wei NOT GLOB '0*') AND length(remainder_wei) <= 78),
  UNIQUE (account, asset)
) STRICT;

CREATE TABLE final_ledgers (
  asset          TEXT PRIMARY KEY CHECK (asset IN ('ETH', 'USDB')),
  ord            INTEGER NOT NULL UNIQUE,
  price          TEXT NOT NULL,
  pending_wei    TEXT NOT NULL,
  total_shares   TEXT NOT NULL,
  buffer_wei     TEXT NOT NULL,
  debt_wei       TEXT NOT NULL,
  insurance_wei  TEXT NOT NULL,
  retained_wei   TEXT NOT NULL
) STRICT;

CREATE TABLE final_sources (
  ord            INTEGER PRIMARY KEY,  -- file order
  source         TEXT NOT NULL UNIQUE,
  asset          TEXT NOT NULL CHECK (asset IN ('ETH', 'USDB')),
  kind           TEXT NOT NULL CHECK (kind IN ('staking', 'treasury')),
  apr_bps        INTEGER NOT NULL CHECK (apr_bps BETWEEN 0 AND 100000),
  value_wei      TEXT NOT NULL,
  principal_wei  TEXT NOT NULL,
  last           TEXT NOT NULL
) STRICT;
