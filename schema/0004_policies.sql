-- yieldledger schema, migration 4: distribution policies (SPEC v1.2 §9).
--
-- `reports` gains, in SPEC §7.1's order, the v1.2 columns: per source the yield under the hurdle
-- and the protocol's fee (§9.4; empty, like the other source columns, for an asset without
-- sources), and per report (repeated on each of its rows) the void share paid to @fee_vault
-- (§9.2), the loss socialized through pending and the price (§9.3) and what the profit stream
-- still locks after it (§9.1). `final_ledgers` gains each asset's protocol revenue and locked
-- yield. A v1.1 ledger ran under the default policy, where every one of these is 0: the defaults
-- below are its exact values, so upgrading it needs no replay, and its hash chains stay valid
-- (the report hash covers the v1.2 columns only when one differs from its v1.1 value).
ALTER TABLE reports ADD COLUMN hurdle_wei TEXT NOT NULL DEFAULT '0';
ALTER TABLE reports ADD COLUMN protocol_fee_wei TEXT NOT NULL DEFAULT '0';
ALTER TABLE reports ADD COLUMN void_share_wei TEXT NOT NULL DEFAULT '0';
ALTER TABLE reports ADD COLUMN socialized_wei TEXT NOT NULL DEFAULT '0';
ALTER TABLE reports ADD COLUMN locked_after_wei TEXT NOT NULL DEFAULT '0';
UPDATE reports SET hurdle_wei = '', protocol_fee_wei = '' WHERE source = '';

ALTER TABLE final_ledgers ADD COLUMN revenue_wei TEXT NOT NULL DEFAULT '0';
ALTER TABLE final_ledgers ADD COLUMN locked_wei TEXT NOT NULL DEFAULT '0';
