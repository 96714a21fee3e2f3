-- yieldledger schema, migration 9: final_balances checks its kind and mode without IN lists
-- (issue 13).
--
-- SQLite 3.40 compiles a CHECK of `x IN (three or more values)` into a temporary b-tree, opened,
-- filled and dropped by every INSERT that runs it. final_balances had two, so each of its rows cost
-- about 86,000 instructions: a fifth of a 200,000-event `run` of 10,000 accounts went to writing
-- its 20,000 final balances (bench/PROFILE.md, "After (final balances)"). The same checks written
-- as ORs of equalities accept exactly the same values and cost a few comparisons. Every other IN
-- in the schema lists two values, which SQLite already compiles to two comparisons.
--
-- A STRICT table's CHECK cannot be altered, so the table is rebuilt: the same columns, the same
-- rows and order, the same constraints.
ALTER TABLE final_balances RENAME TO final_balances_v8;

CREATE TABLE final_balances (
  ord            INTEGER PRIMARY KEY,  -- output row order (SPEC §7.1)
  account        TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind = 'user' OR kind = 'dapp' OR kind = 'system'),
  asset          TEXT NOT NULL CHECK (asset IN ('ETH', 'USDB')),
  mode           TEXT NOT NULL
                 CHECK (mode = 'AUTOMATIC' OR mode = 'VOID' OR mode = 'CLAIMABLE'),
  balance_wei    TEXT NOT NULL CHECK (balance_wei <> '' AND balance_wei NOT GLOB '*[^0-9]*' AND (balance_wei = '0' OR balance_wei NOT GLOB '0*') AND length(balance_wei) <= 78),
  claimable_wei  TEXT NOT NULL CHECK (claimable_wei <> '' AND claimable_wei NOT GLOB '*[^0-9]*' AND (claimable_wei = '0' OR claimable_wei NOT GLOB '0*') AND length(claimable_wei) <= 78),
  shares         TEXT NOT NULL CHECK (shares <> '' AND shares NOT GLOB '*[^0-9]*' AND (shares = '0' OR shares NOT GLOB '0*') AND length(shares) <= 78),
  remainder_wei  TEXT NOT NULL CHECK (remainder_wei <> '' AND remainder_wei NOT GLOB '*[^0-9]*' AND (remainder_wei = '0' OR remainder_wei NOT GLOB '0*') AND length(remainder_wei) <= 78),
  UNIQUE (account, asset)
) STRICT;
INSERT INTO final_balances (ord, account, kind, asset, mode, balance_wei, claimable_wei, shares,
                            remainder_wei)
  SELECT ord, account, kind, asset, mode, balance_wei, claimable_wei, shares, remainder_wei
  FROM final_balances_v8 ORDER BY ord;
DROP TABLE final_balances_v8;
