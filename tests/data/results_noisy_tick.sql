-- A hand-built sweep results file (schema/results/RESULTS_SCHEMA.md) for scripts/browser_test.sh:
-- 2 points x 4 runs of one gini metric, the values of points 0 and 2 of a sweep of
-- examples/lab/study.toml by lab version 4 (an insurance fee apart). Their paired difference,
-- about 1e-5, gave the chart an axis whose zero tick Chart.js stepped to -1.7e-21 and labelled
-- "-1.700000E-21"; report.js snaps it to 0, and the browser test fails on such a tick.
PRAGMA application_id = 1498174530;
PRAGMA user_version = 2;
CREATE TABLE study (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE points (point INTEGER PRIMARY KEY, label TEXT NOT NULL, params TEXT NOT NULL) STRICT;
CREATE TABLE runs (point INTEGER NOT NULL REFERENCES points(point), run INTEGER NOT NULL,
  seed TEXT NOT NULL, events INTEGER NOT NULL, PRIMARY KEY (point, run)) STRICT;
CREATE TABLE metric_info (name TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('int', 'real')),
  unit TEXT NOT NULL, description TEXT NOT NULL) STRICT;
CREATE TABLE metrics (point INTEGER NOT NULL, run INTEGER NOT NULL,
  name TEXT NOT NULL REFERENCES metric_info(name), cohort TEXT NOT NULL DEFAULT '',
  asset TEXT NOT NULL DEFAULT '', value_int TEXT, value_real REAL,
  PRIMARY KEY (point, run, name, cohort, asset)) STRICT;
CREATE TABLE series (point INTEGER NOT NULL, run INTEGER NOT NULL, t TEXT NOT NULL,
  asset TEXT NOT NULL, name TEXT NOT NULL, value_int TEXT NOT NULL,
  PRIMARY KEY (point, run, t, asset, name)) STRICT;
INSERT INTO study VALUES ('name', 'noisy tick'), ('seed', '20261130'), ('runs', '4'),
  ('series_every', ''), ('spec_hash', '00'), ('spec', '# hand-built'), ('lab', '4');
INSERT INTO metric_info VALUES ('gini', 'real', 'ratio', 'Gini of yield per unit capital-time');
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
