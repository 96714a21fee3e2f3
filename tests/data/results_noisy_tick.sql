-- Run after tests/data/results_small.sql (its tables; `sql_to_db OUT results_small.sql THIS`), for
-- scripts/browser_test.sh: its rows replaced by 2 points x 4 runs of one gini metric, the values of
-- points 0 and 2 of a sweep of examples/lab/study.toml by lab version 4 (an insurance fee apart).
-- Their paired difference, about 1e-5, gave the chart an axis whose zero tick Chart.js stepped to
-- -1.7e-21 and labelled "-1.700000E-21"; report.js snaps it to 0, and the browser test fails on
-- such a tick.
PRAGMA user_version = 2;
DELETE FROM series;
DELETE FROM metrics;
DELETE FROM runs;
DELETE FROM points;
DELETE FROM study;
DELETE FROM metric_info WHERE name <> 'gini';
INSERT INTO study VALUES ('name', 'noisy tick'), ('seed', '20261130'), ('runs', '4'),
  ('series_every', ''), ('spec_hash', '00'), ('spec', '# hand-built'), ('lab', '4');
INSERT INTO points VALUES (0, 'scenario.policy.insurance_fee_bps=500',
  '{"scenario.policy.insurance_fee_bps":"500"}');
INSERT INTO points VALUES (1, 'scenario.policy.insurance_fee_bps=2000',
  '{"scenario.policy.insurance_fee_bps":"2000"}');
INSERT INTO runs VALUES (0, 0, '240352809464092951', 4000), (0, 1, '1887963525589444266', 4000),
  (0, 2, '17286373050707911730', 4000), (0, 3, '12905393942791954913', 4000),
  (1, 0, '240352809464092951', 4000), (1, 1, '1887963525589444266', 4000),
  (1, 2, '17286373050707911730', 4000), (1, 3, '12905393942791954913', 4000);
INSERT INTO metrics VALUES (0, 0, 'gini', '', 'ETH', NULL, 0.932481361915819),
  (0, 1, 'gini', '', 'ETH', NULL, 0.923658188631074),
  (0, 2, 'gini', '', 'ETH', NULL, 0.855215224516523),
  (0, 3, 'gini', '', 'ETH', NULL, 0.931328068962254),
  (1, 0, 'gini', '', 'ETH', NULL, 0.932479545408568),
  (1, 1, 'gini', '', 'ETH', NULL, 0.92365979631651),
  (1, 2, 'gini', '', 'ETH', NULL, 0.855222663973844),
  (1, 3, 'gini', '', 'ETH', NULL, 0.931319302112122);
