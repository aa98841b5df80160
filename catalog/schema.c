/* schema.c — the catalog schema and its migrations.
 *
 * migrations[v-1] takes a catalog from version v-1 to v.  To change the
 * schema: add its statements as schema_vN, MIGRATION(N), append migrate_to_N to the list, bump
 * CAT_SCHEMA_VERSION in catalog.h, and describe it in README.md.  Never edit
 * an existing migration: catalogs in the field have already run it.
 * cat_migrate runs inside cat_open's transaction, so a failed migration
 * leaves the file as it was. */
#include <stdio.h>

#include "cat_internal.h"

/* Version 1: base tables (mlg_*), the views users SELECT from, indexes.
 * One string per statement keeps each literal short. */
static const char *const schema_v1[] = {
    "CREATE TABLE mlg_meta("
    "  key   TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL);",
    "INSERT INTO mlg_meta(key, value) VALUES ('application', 'mileage');",
    "INSERT INTO mlg_meta(key, value) VALUES ('created_at', " CAT_NOW ");",

    "CREATE TABLE mlg_datasets("
    "  id           INTEGER PRIMARY KEY,"
    "  name         TEXT NOT NULL COLLATE NOCASE UNIQUE,"
    "  path         TEXT,"
    "  format       TEXT,"
    "  hash         TEXT,"
    "  options_json TEXT NOT NULL DEFAULT '{}',"
    "  nrows        INTEGER NOT NULL,"
    "  ncols        INTEGER NOT NULL,"
    "  created_at   TEXT NOT NULL DEFAULT (" CAT_NOW "));",

    "CREATE TABLE mlg_columns("
    "  dataset_id INTEGER NOT NULL REFERENCES mlg_datasets(id) ON DELETE CASCADE,"
    "  position   INTEGER NOT NULL,"
    "  name       TEXT NOT NULL,"
    "  type       TEXT NOT NULL CHECK (type IN ('numeric','categorical')),"
    "  missing    INTEGER NOT NULL,"
    "  n_distinct INTEGER NOT NULL,"
    "  min        REAL,"
    "  max        REAL,"
    "  mean       REAL,"
    "  std        REAL,"
    "  nlevels    INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (dataset_id, position)) WITHOUT ROWID;",

    "CREATE TABLE mlg_tasks("
    "  id            INTEGER PRIMARY KEY,"
    "  name          TEXT NOT NULL COLLATE NOCASE UNIQUE,"
    "  dataset_id    INTEGER NOT NULL REFERENCES mlg_datasets(id) ON DELETE CASCADE,"
    "  target        TEXT NOT NULL,"
    "  kind          TEXT NOT NULL CHECK (kind IN ('classification','regression')),"
    "  metric        TEXT NOT NULL,"
    "  protocol_json TEXT NOT NULL,"
    "  seed          INTEGER NOT NULL,"
    "  nrounds       INTEGER NOT NULL,"
    "  folds_hash    TEXT,"
    "  created_at    TEXT NOT NULL DEFAULT (" CAT_NOW "));",
    "CREATE INDEX mlg_tasks_dataset ON mlg_tasks(dataset_id);",

    /* One row per data row: fold number (holdout: 0 = train, 1 = test, or
     * whatever the runtime assigns).  WITHOUT ROWID: the key is the data. */
    "CREATE TABLE mlg_folds("
    "  task_id INTEGER NOT NULL REFERENCES mlg_tasks(id) ON DELETE CASCADE,"
    "  rep     INTEGER NOT NULL DEFAULT 0,"   /* repetition (REPEATED CV), else 0 */
    "  row     INTEGER NOT NULL,"
    "  fold    INTEGER NOT NULL,"
    "  PRIMARY KEY (task_id, rep, row)) WITHOUT ROWID;",

    "CREATE TABLE mlg_experiments("
    "  id            INTEGER PRIMARY KEY,"
    "  task_id       INTEGER NOT NULL REFERENCES mlg_tasks(id) ON DELETE CASCADE,"
    "  statement     TEXT NOT NULL,"
    "  spec_json     TEXT,"
    "  logical_plan  TEXT,"
    "  physical_plan TEXT,"
    "  planned_runs  INTEGER NOT NULL,"
    "  status        TEXT NOT NULL DEFAULT 'running'"
    "                CHECK (status IN ('running','finished','failed','interrupted')),"
    "  error         TEXT,"
    "  started_at    TEXT NOT NULL DEFAULT (" CAT_NOW "),"
    "  finished_at   TEXT,"
    "  pid           INTEGER);",   /* the process running it, NULL when done */
    "CREATE INDEX mlg_experiments_task ON mlg_experiments(task_id);",

    "CREATE TABLE mlg_configs("
    "  id          INTEGER PRIMARY KEY,"
    "  family      TEXT NOT NULL,"
    "  params_json TEXT NOT NULL,"
    "  hash        TEXT NOT NULL UNIQUE,"
    "  created_at  TEXT NOT NULL DEFAULT (" CAT_NOW "));",

    "CREATE TABLE mlg_runs("
    "  id              INTEGER PRIMARY KEY,"
    "  experiment_id   INTEGER NOT NULL REFERENCES mlg_experiments(id) ON DELETE CASCADE,"
    "  config_id       INTEGER NOT NULL REFERENCES mlg_configs(id),"
    "  fold            INTEGER NOT NULL,"
    "  score           REAL,"
    "  scores_json     TEXT,"
    "  fit_seconds     REAL,"
    "  predict_seconds REAL,"
    "  status          TEXT NOT NULL CHECK (status IN ('ok','failed')),"
    "  error           TEXT,"
    "  created_at      TEXT NOT NULL DEFAULT (" CAT_NOW "));",
    /* results groups by (experiment, config); history lookups go by config. */
    "CREATE INDEX mlg_runs_experiment ON mlg_runs(experiment_id, config_id);",
    "CREATE INDEX mlg_runs_config ON mlg_runs(config_id);",

    /* ---- views: the user-facing names (README.md documents them) ---- */
    "CREATE VIEW datasets AS"
    "  SELECT id, name, nrows AS rows, ncols AS cols, format, hash, path,"
    "         options_json AS options, created_at"
    "  FROM mlg_datasets;",

    "CREATE VIEW columns AS"
    "  SELECT d.name AS dataset, c.position, c.name, c.type, c.missing,"
    "         c.n_distinct, c.min, c.max, c.mean, c.std, c.nlevels AS levels"
    "  FROM mlg_columns c JOIN mlg_datasets d ON d.id = c.dataset_id;",

    "CREATE VIEW tasks AS"
    "  SELECT t.id, t.name, d.name AS dataset, t.target, t.kind, t.metric,"
    "         t.protocol_json AS protocol, t.seed, t.nrounds AS rounds,"
    "         t.folds_hash, t.created_at"
    "  FROM mlg_tasks t JOIN mlg_datasets d ON d.id = t.dataset_id;",

    "CREATE VIEW folds AS"
    "  SELECT t.name AS task, f.rep, f.row, f.fold"
    "  FROM mlg_folds f JOIN mlg_tasks t ON t.id = f.task_id;",

    "CREATE VIEW experiments AS"
    "  SELECT e.id, t.name AS task, e.status, e.planned_runs,"
    "         (SELECT count(*) FROM mlg_runs r WHERE r.experiment_id = e.id)"
    "           AS finished_runs,"
    "         e.started_at, e.finished_at, e.statement, e.error,"
    "         e.spec_json AS spec, e.logical_plan, e.physical_plan"
    "  FROM mlg_experiments e JOIN mlg_tasks t ON t.id = e.task_id;",

    "CREATE VIEW configs AS"
    "  SELECT id, family, params_json AS params, hash, created_at"
    "  FROM mlg_configs;",

    "CREATE VIEW runs AS"
    "  SELECT r.id AS run_id, r.experiment_id AS experiment, t.name AS task,"
    "         d.name AS dataset, r.config_id, c.family, c.params_json AS params,"
    "         r.fold, t.metric, r.score, r.fit_seconds, r.predict_seconds,"
    "         r.status, r.error, r.scores_json AS scores, r.created_at"
    "  FROM mlg_runs r"
    "  JOIN mlg_experiments e ON e.id = r.experiment_id"
    "  JOIN mlg_tasks t ON t.id = e.task_id"
    "  JOIN mlg_datasets d ON d.id = t.dataset_id"
    "  JOIN mlg_configs c ON c.id = r.config_id;",

    /* Sample std in two passes (mean first) rather than sum-of-squares, so
     * close scores do not cancel catastrophically. Failed runs (NULL score)
     * count in neither mean nor folds. */
    "CREATE VIEW results AS"
    "  WITH g AS ("
    "    SELECT experiment_id, config_id, avg(score) AS m, count(score) AS n,"
    "           sum(fit_seconds) AS fit"
    "    FROM mlg_runs GROUP BY experiment_id, config_id)"
    "  SELECT g.experiment_id AS experiment, t.name AS task, g.config_id,"
    "         c.family, c.params_json AS params, t.metric,"
    "         g.m AS mean_score,"
    "         CASE WHEN g.n > 1 THEN sqrt(("
    "           SELECT sum((r.score - g.m) * (r.score - g.m)) FROM mlg_runs r"
    "           WHERE r.experiment_id = g.experiment_id"
    "             AND r.config_id = g.config_id AND r.score IS NOT NULL)"
    "           / (g.n - 1)) END AS std_score,"
    "         g.n AS folds, g.fit AS fit_seconds"
    "  FROM g"
    "  JOIN mlg_experiments e ON e.id = g.experiment_id"
    "  JOIN mlg_tasks t ON t.id = e.task_id"
    "  JOIN mlg_configs c ON c.id = g.config_id;",
};

/* Version 2 (models and reproducibility): trained models with their
 * lineage and a checksummed blob; dataset versions (a dataset re-created
 * from a changed file keeps its old rows as NAME@vN); what each experiment
 * needs to be reproduced (mileage, BLAS, dataset hash and version). */
static const char *const schema_v2[] = {
    "ALTER TABLE mlg_datasets ADD COLUMN version INTEGER NOT NULL DEFAULT 1;",
    "ALTER TABLE mlg_experiments ADD COLUMN repro_json TEXT;",
    "CREATE TABLE mlg_models("
    "  id              INTEGER PRIMARY KEY,"
    "  name            TEXT NOT NULL COLLATE NOCASE UNIQUE,"
    "  family          TEXT NOT NULL,"
    "  kind            TEXT NOT NULL CHECK (kind IN ('classification','regression')),"
    "  target          TEXT NOT NULL,"
    "  source          TEXT NOT NULL,"      /* the statement that made it */
    "  task            TEXT,"
    "  dataset         TEXT,"
    "  dataset_version INTEGER,"
    "  dataset_hash    TEXT,"
    "  experiment_id   INTEGER,"
    "  config_json     TEXT NOT NULL,"
    "  seed            INTEGER NOT NULL,"
    "  train_rows      INTEGER NOT NULL,"
    "  mileage_version TEXT NOT NULL,"
    "  format_version  INTEGER NOT NULL,"
    "  checksum        TEXT NOT NULL,"      /* sha256 of the blob */
    "  bytes           INTEGER NOT NULL,"
    "  blob            BLOB NOT NULL,"
    "  created_at      TEXT NOT NULL DEFAULT (" CAT_NOW "));",
    "CREATE VIEW models AS"
    "  SELECT id, name, family, kind, target, task, dataset, dataset_version,"
    "         config_json AS config, seed, train_rows AS rows, experiment_id AS experiment,"
    "         source, mileage_version, format_version, checksum, bytes, created_at"
    "  FROM mlg_models;",
    "DROP VIEW datasets;",
    "CREATE VIEW datasets AS"
    "  SELECT id, name, version, nrows AS rows, ncols AS cols, format, hash, path,"
    "         options_json AS options, created_at"
    "  FROM mlg_datasets;",
    /* everything REPRODUCE reads, one row per run */
    "CREATE VIEW provenance AS"
    "  SELECT r.id AS run_id, r.experiment_id AS experiment, e.statement, t.name AS task,"
    "         c.family, c.params_json AS config, r.fold, t.seed,"
    "         d.name AS dataset, d.version AS dataset_version, d.hash AS dataset_hash,"
    "         json_extract(e.repro_json, '$.mileage_version') AS mileage_version,"
    "         json_extract(e.repro_json, '$.blas') AS blas,"
    "         json_extract(e.repro_json, '$.sharing') AS sharing,"
    "         r.scores_json AS scores"
    "  FROM mlg_runs r"
    "  JOIN mlg_experiments e ON e.id = r.experiment_id"
    "  JOIN mlg_tasks t ON t.id = e.task_id"
    "  JOIN mlg_datasets d ON d.id = t.dataset_id"
    "  JOIN mlg_configs c ON c.id = r.config_id;",
};

/* Version 3: search strategies and budgets.  Experiments record their
 * strategy, budget and how much of it they used; runs record the rung
 * (halving / hyperband: 0 = first, fewest rows) and how many training rows
 * the model saw.  results keeps each configuration's highest rung only: a
 * score on a sample is not comparable with one on all rows. */
static const char *const schema_v3[] = {
    "ALTER TABLE mlg_experiments ADD COLUMN search TEXT;",
    "ALTER TABLE mlg_experiments ADD COLUMN budget_unit TEXT"
    "  CHECK (budget_unit IN ('seconds','runs'));",
    "ALTER TABLE mlg_experiments ADD COLUMN budget_limit REAL;",
    "ALTER TABLE mlg_experiments ADD COLUMN budget_used REAL;",
    "ALTER TABLE mlg_runs ADD COLUMN rung INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE mlg_runs ADD COLUMN train_rows INTEGER;",
    "DROP VIEW experiments;",
    "CREATE VIEW experiments AS"
    "  SELECT e.id, t.name AS task, e.status, e.planned_runs,"
    "         (SELECT count(*) FROM mlg_runs r WHERE r.experiment_id = e.id)"
    "           AS finished_runs,"
    "         e.started_at, e.finished_at, e.statement, e.error,"
    "         e.spec_json AS spec, e.logical_plan, e.physical_plan,"
    "         coalesce(e.search, 'grid') AS search, e.budget_unit, e.budget_limit,"
    "         e.budget_used"
    "  FROM mlg_experiments e JOIN mlg_tasks t ON t.id = e.task_id;",
    "DROP VIEW runs;",
    "CREATE VIEW runs AS"
    "  SELECT r.id AS run_id, r.experiment_id AS experiment, t.name AS task,"
    "         d.name AS dataset, r.config_id, c.family, c.params_json AS params,"
    "         r.fold, t.metric, r.score, r.fit_seconds, r.predict_seconds,"
    "         r.status, r.error, r.scores_json AS scores, r.created_at,"
    "         r.rung, r.train_rows"
    "  FROM mlg_runs r"
    "  JOIN mlg_experiments e ON e.id = r.experiment_id"
    "  JOIN mlg_tasks t ON t.id = e.task_id"
    "  JOIN mlg_datasets d ON d.id = t.dataset_id"
    "  JOIN mlg_configs c ON c.id = r.config_id;",
    "DROP VIEW results;",
    "CREATE VIEW results AS"
    "  WITH top AS ("
    "    SELECT experiment_id, config_id, max(rung) AS rung"
    "    FROM mlg_runs GROUP BY experiment_id, config_id),"
    "  g AS ("
    "    SELECT r.experiment_id, r.config_id, r.rung, avg(r.score) AS m,"
    "           count(r.score) AS n, sum(r.fit_seconds) AS fit"
    "    FROM mlg_runs r JOIN top USING (experiment_id, config_id)"
    "    WHERE r.rung = top.rung GROUP BY r.experiment_id, r.config_id)"
    "  SELECT g.experiment_id AS experiment, t.name AS task, g.config_id,"
    "         c.family, c.params_json AS params, t.metric,"
    "         g.m AS mean_score,"
    "         CASE WHEN g.n > 1 THEN sqrt(("
    "           SELECT sum((r.score - g.m) * (r.score - g.m)) FROM mlg_runs r"
    "           WHERE r.experiment_id = g.experiment_id AND r.rung = g.rung"
    "             AND r.config_id = g.config_id AND r.score IS NOT NULL)"
    "           / (g.n - 1)) END AS std_score,"
    "         g.n AS folds, g.fit AS fit_seconds, g.rung"
    "  FROM g"
    "  JOIN mlg_experiments e ON e.id = g.experiment_id"
    "  JOIN mlg_tasks t ON t.id = e.task_id"
    "  JOIN mlg_configs c ON c.id = g.config_id;",
};

/* Version 4: baselines and intents.  An experiment records whether it is
 * a BASELINE (kind), its intents (JSON) and the metric it ranks by when
 * that is not the task's (WITH INTENT cost); runs and results show the
 * experiment's ranking metric.  The baselines view holds, per task, the
 * results of its latest finished BASELINE: the reference rows. */
static const char *const schema_v4[] = {
    "ALTER TABLE mlg_experiments ADD COLUMN kind TEXT NOT NULL DEFAULT 'explore'"
    "  CHECK (kind IN ('explore','baseline'));",
    "ALTER TABLE mlg_experiments ADD COLUMN intents_json TEXT;",
    "ALTER TABLE mlg_experiments ADD COLUMN metric TEXT;",
    "DROP VIEW experiments;",
    "CREATE VIEW experiments AS"
    "  SELECT e.id, t.name AS task, e.status, e.planned_runs,"
    "         (SELECT count(*) FROM mlg_runs r WHERE r.experiment_id = e.id)"
    "           AS finished_runs,"
    "         e.started_at, e.finished_at, e.statement, e.error,"
    "         e.spec_json AS spec, e.logical_plan, e.physical_plan,"
    "         coalesce(e.search, 'grid') AS search, e.budget_unit, e.budget_limit,"
    "         e.budget_used, e.kind, e.intents_json AS intents,"
    "         coalesce(e.metric, t.metric) AS metric"
    "  FROM mlg_experiments e JOIN mlg_tasks t ON t.id = e.task_id;",
    "DROP VIEW runs;",
    "CREATE VIEW runs AS"
    "  SELECT r.id AS run_id, r.experiment_id AS experiment, t.name AS task,"
    "         d.name AS dataset, r.config_id, c.family, c.params_json AS params,"
    "         r.fold, coalesce(e.metric, t.metric) AS metric, r.score, r.fit_seconds,"
    "         r.predict_seconds, r.status, r.error, r.scores_json AS scores, r.created_at,"
    "         r.rung, r.train_rows"
    "  FROM mlg_runs r"
    "  JOIN mlg_experiments e ON e.id = r.experiment_id"
    "  JOIN mlg_tasks t ON t.id = e.task_id"
    "  JOIN mlg_datasets d ON d.id = t.dataset_id"
    "  JOIN mlg_configs c ON c.id = r.config_id;",
    "DROP VIEW results;",
    "CREATE VIEW results AS"
    "  WITH top AS ("
    "    SELECT experiment_id, config_id, max(rung) AS rung"
    "    FROM mlg_runs GROUP BY experiment_id, config_id),"
    "  g AS ("
    "    SELECT r.experiment_id, r.config_id, r.rung, avg(r.score) AS m,"
    "           count(r.score) AS n, sum(r.fit_seconds) AS fit"
    "    FROM mlg_runs r JOIN top USING (experiment_id, config_id)"
    "    WHERE r.rung = top.rung GROUP BY r.experiment_id, r.config_id)"
    "  SELECT g.experiment_id AS experiment, t.name AS task, g.config_id,"
    "         c.family, c.params_json AS params, coalesce(e.metric, t.metric) AS metric,"
    "         g.m AS mean_score,"
    "         CASE WHEN g.n > 1 THEN sqrt(("
    "           SELECT sum((r.score - g.m) * (r.score - g.m)) FROM mlg_runs r"
    "           WHERE r.experiment_id = g.experiment_id AND r.rung = g.rung"
    "             AND r.config_id = g.config_id AND r.score IS NOT NULL)"
    "           / (g.n - 1)) END AS std_score,"
    "         g.n AS folds, g.fit AS fit_seconds, g.rung"
    "  FROM g"
    "  JOIN mlg_experiments e ON e.id = g.experiment_id"
    "  JOIN mlg_tasks t ON t.id = e.task_id"
    "  JOIN mlg_configs c ON c.id = g.config_id;",
    "CREATE VIEW baselines AS"
    "  SELECT r.task, r.experiment, r.config_id, r.family, r.params, r.metric,"
    "         r.mean_score, r.std_score, r.folds"
    "  FROM results r"
    "  WHERE r.experiment = (SELECT max(e.id) FROM mlg_experiments e"
    "                         JOIN mlg_tasks t ON t.id = e.task_id"
    "                        WHERE t.name = r.task AND e.kind = 'baseline'"
    "                          AND e.status = 'finished');",
};

/* Version 5: a run that is ok but worth a note — its solver stopped at
 * max_iter without meeting its tolerance — says so in runs.warning. */
static const char *const schema_v5[] = {
    "ALTER TABLE mlg_runs ADD COLUMN warning TEXT;",
    "DROP VIEW runs;",
    "CREATE VIEW runs AS"
    "  SELECT r.id AS run_id, r.experiment_id AS experiment, t.name AS task,"
    "         d.name AS dataset, r.config_id, c.family, c.params_json AS params,"
    "         r.fold, coalesce(e.metric, t.metric) AS metric, r.score, r.fit_seconds,"
    "         r.predict_seconds, r.status, r.error, r.scores_json AS scores, r.created_at,"
    "         r.rung, r.train_rows, r.warning"
    "  FROM mlg_runs r"
    "  JOIN mlg_experiments e ON e.id = r.experiment_id"
    "  JOIN mlg_tasks t ON t.id = e.task_id"
    "  JOIN mlg_datasets d ON d.id = t.dataset_id"
    "  JOIN mlg_configs c ON c.id = r.config_id;",
};

/* Version 6: reuse across queries.  A run EXPLORE took from the
 * repository instead of fitting it again points at the run that was fitted
 * (the origin: never itself a reused row).  No foreign key: the origin's
 * experiment may be dropped later, and the copy keeps its scores and the
 * id it came from.  The runs and provenance views show the column;
 * provenance also the mileage version that fitted the origin (reuse does
 * not require the same version). */
static const char *const schema_v6[] = {
    "ALTER TABLE mlg_runs ADD COLUMN reused_from INTEGER;",
    "DROP VIEW runs;",
    "CREATE VIEW runs AS"
    "  SELECT r.id AS run_id, r.experiment_id AS experiment, t.name AS task,"
    "         d.name AS dataset, r.config_id, c.family, c.params_json AS params,"
    "         r.fold, coalesce(e.metric, t.metric) AS metric, r.score, r.fit_seconds,"
    "         r.predict_seconds, r.status, r.error, r.scores_json AS scores, r.created_at,"
    "         r.rung, r.train_rows, r.warning, r.reused_from"
    "  FROM mlg_runs r"
    "  JOIN mlg_experiments e ON e.id = r.experiment_id"
    "  JOIN mlg_tasks t ON t.id = e.task_id"
    "  JOIN mlg_datasets d ON d.id = t.dataset_id"
    "  JOIN mlg_configs c ON c.id = r.config_id;",
    "DROP VIEW provenance;",
    "CREATE VIEW provenance AS"
    "  SELECT r.id AS run_id, r.experiment_id AS experiment, e.statement, t.name AS task,"
    "         c.family, c.params_json AS config, r.fold, t.seed,"
    "         d.name AS dataset, d.version AS dataset_version, d.hash AS dataset_hash,"
    "         json_extract(e.repro_json, '$.mileage_version') AS mileage_version,"
    "         json_extract(e.repro_json, '$.blas') AS blas,"
    "         json_extract(e.repro_json, '$.sharing') AS sharing,"
    "         r.scores_json AS scores, r.reused_from,"
    "         (SELECT json_extract(oe.repro_json, '$.mileage_version') FROM mlg_runs o"
    "            JOIN mlg_experiments oe ON oe.id = o.experiment_id WHERE o.id = r.reused_from)"
    "           AS reused_mileage_version"
    "  FROM mlg_runs r"
    "  JOIN mlg_experiments e ON e.id = r.experiment_id"
    "  JOIN mlg_tasks t ON t.id = e.task_id"
    "  JOIN mlg_datasets d ON d.id = t.dataset_id"
    "  JOIN mlg_configs c ON c.id = r.config_id;",
};

/* Version 7: the intermediate cache.  One row per file in the directory
 * beside the catalog (<catalog>.cache/): what lineage it holds, its kind,
 * size, the seconds computing it took, hits and last use.  The cache view
 * shows them to SELECT. */
static const char *const schema_v7[] = {
    "CREATE TABLE mlg_cache("
    "  lineage         TEXT PRIMARY KEY,"
    "  kind            TEXT NOT NULL,"
    "  what            TEXT,"
    "  bytes           INTEGER NOT NULL CHECK (bytes >= 0),"
    "  compute_seconds REAL,"
    "  hits            INTEGER NOT NULL DEFAULT 0,"
    "  file            TEXT NOT NULL,"
    "  created_at      TEXT NOT NULL DEFAULT (" CAT_NOW "),"
    "  last_used       TEXT NOT NULL DEFAULT (" CAT_NOW "));",
    "CREATE VIEW cache AS"
    "  SELECT lineage, kind, what, bytes, compute_seconds, hits, created_at, last_used, file"
    "  FROM mlg_cache;",
};

/* Version 8: meta-features (meta-learning).  Dataset-level ones are
 * computed at CREATE DATASET (every data version gets its own row), the
 * ones that need the target at CREATE TASK; meta_features shows one row
 * per task with both (and datasets without a task, task NULL).  Runs
 * record seq: the configuration's position in its experiment's evaluation
 * order (seeds first, then the strategy's proposals), so "how many
 * evaluations until a score was reached" can be read back. */
static const char *const schema_v8[] = {
    "CREATE TABLE mlg_dataset_meta("
    "  dataset_id    INTEGER PRIMARY KEY REFERENCES mlg_datasets(id) ON DELETE CASCADE,"
    "  rows          REAL, cols REAL, dim_ratio REAL, cat_share REAL, missing_share REAL,"
    "  skew_min      REAL, skew_mean REAL, skew_max REAL,"
    "  kurt_min      REAL, kurt_mean REAL, kurt_max REAL);",
    "CREATE TABLE mlg_task_meta("
    "  task_id       INTEGER PRIMARY KEY REFERENCES mlg_tasks(id) ON DELETE CASCADE,"
    "  classes       REAL, class_entropy REAL, majority REAL,"
    "  lm_1nn        REAL, lm_stump REAL, lm_nb REAL);",
    "ALTER TABLE mlg_runs ADD COLUMN seq INTEGER;",
    "CREATE VIEW meta_features AS"
    "  SELECT d.name AS dataset, t.name AS task, t.kind,"
    "         CAST(m.rows AS INTEGER) AS rows, CAST(m.cols AS INTEGER) AS cols, m.dim_ratio,"
    "         m.cat_share, m.missing_share, m.skew_min, m.skew_mean, m.skew_max,"
    "         m.kurt_min, m.kurt_mean, m.kurt_max,"
    "         CAST(tm.classes AS INTEGER) AS classes, tm.class_entropy, tm.majority,"
    "         tm.lm_1nn, tm.lm_stump, tm.lm_nb"
    "  FROM mlg_datasets d"
    "  LEFT JOIN mlg_dataset_meta m ON m.dataset_id = d.id"
    "  LEFT JOIN mlg_tasks t ON t.dataset_id = d.id"
    "  LEFT JOIN mlg_task_meta tm ON tm.task_id = t.id;",
    "DROP VIEW runs;",
    "CREATE VIEW runs AS"
    "  SELECT r.id AS run_id, r.experiment_id AS experiment, t.name AS task,"
    "         d.name AS dataset, r.config_id, c.family, c.params_json AS params,"
    "         r.fold, coalesce(e.metric, t.metric) AS metric, r.score, r.fit_seconds,"
    "         r.predict_seconds, r.status, r.error, r.scores_json AS scores, r.created_at,"
    "         r.rung, r.train_rows, r.warning, r.reused_from, r.seq"
    "  FROM mlg_runs r"
    "  JOIN mlg_experiments e ON e.id = r.experiment_id"
    "  JOIN mlg_tasks t ON t.id = e.task_id"
    "  JOIN mlg_datasets d ON d.id = t.dataset_id"
    "  JOIN mlg_configs c ON c.id = r.config_id;",
};

/* Version 9: runs record the search batch they were fitted in (batch, the
 * search's 1-based batch number within the experiment) and their
 * configuration's position in it (batch_pos, 1-based): a group fit (logreg's
 * warm-started C path, progressive statistics) depends on which
 * configurations were fitted together and in what order, and a run budget
 * or halving's survivors make that a subset of the statement's
 * configurations; REPRODUCE rebuilds exactly that group from these. */
static const char *const schema_v9[] = {
    "ALTER TABLE mlg_runs ADD COLUMN batch INTEGER;",
    "ALTER TABLE mlg_runs ADD COLUMN batch_pos INTEGER;",
    "DROP VIEW runs;",
    "CREATE VIEW runs AS"
    "  SELECT r.id AS run_id, r.experiment_id AS experiment, t.name AS task,"
    "         d.name AS dataset, r.config_id, c.family, c.params_json AS params,"
    "         r.fold, coalesce(e.metric, t.metric) AS metric, r.score, r.fit_seconds,"
    "         r.predict_seconds, r.status, r.error, r.scores_json AS scores, r.created_at,"
    "         r.rung, r.train_rows, r.warning, r.reused_from, r.seq, r.batch, r.batch_pos"
    "  FROM mlg_runs r"
    "  JOIN mlg_experiments e ON e.id = r.experiment_id"
    "  JOIN mlg_tasks t ON t.id = e.task_id"
    "  JOIN mlg_datasets d ON d.id = t.dataset_id"
    "  JOIN mlg_configs c ON c.id = r.config_id;",
};

/* Version 10: the same results and baselines rows, read in time that does
 * not grow with the catalog when filtered.  results took each config's top
 * rung from a join with a grouping of every run, which SQLite cannot
 * narrow by experiment, so `WHERE experiment = n` (EXPLORE's summary
 * against the baseline) read all runs; the top rung is now a correlated
 * lookup on (experiment_id, config_id), and the filter reaches mlg_runs'
 * index.  baselines compared each results row's task name with a
 * per-row subquery; it now keeps the rows of each task's latest finished
 * BASELINE experiment by id. */
static const char *const schema_v10[] = {
    "DROP VIEW baselines;",
    "DROP VIEW results;",
    "CREATE VIEW results AS"
    "  WITH g AS ("
    "    SELECT r.experiment_id, r.config_id, r.rung, avg(r.score) AS m,"
    "           count(r.score) AS n, sum(r.fit_seconds) AS fit"
    "    FROM mlg_runs r"
    "    WHERE r.rung = (SELECT max(top.rung) FROM mlg_runs top"
    "                    WHERE top.experiment_id = r.experiment_id AND top.config_id = r.config_id)"
    "    GROUP BY r.experiment_id, r.config_id)"
    "  SELECT g.experiment_id AS experiment, t.name AS task, g.config_id,"
    "         c.family, c.params_json AS params, coalesce(e.metric, t.metric) AS metric,"
    "         g.m AS mean_score,"
    "         CASE WHEN g.n > 1 THEN sqrt(("
    "           SELECT sum((r.score - g.m) * (r.score - g.m)) FROM mlg_runs r"
    "           WHERE r.experiment_id = g.experiment_id AND r.rung = g.rung"
    "             AND r.config_id = g.config_id AND r.score IS NOT NULL)"
    "           / (g.n - 1)) END AS std_score,"
    "         g.n AS folds, g.fit AS fit_seconds, g.rung"
    "  FROM g"
    "  JOIN mlg_experiments e ON e.id = g.experiment_id"
    "  JOIN mlg_tasks t ON t.id = e.task_id"
    "  JOIN mlg_configs c ON c.id = g.config_id;",
    "CREATE VIEW baselines AS"
    "  SELECT r.task, r.experiment, r.config_id, r.family, r.params, r.metric,"
    "         r.mean_score, r.std_score, r.folds"
    "  FROM results r"
    "  WHERE r.experiment IN (SELECT max(e.id) FROM mlg_experiments e"
    "                         WHERE e.kind = 'baseline' AND e.status = 'finished'"
    "                         GROUP BY e.task_id);",
};

/* Version 11: the BLAS threads each run's fit ran with, and the measured
 * times of the plan's operators other than FIT (mlg_op_times).  OpenBLAS sums
 * some products (dgemv, ddot from 100 000 values, LAPACK's internal calls)
 * in another order on several threads than on one, so a fit's last bits
 * depend on that count; EXPLORE gives a fit one thread while several run
 * and every thread to a lone fit, and REPRODUCE replays each run with the
 * count it records.  NULL: a run that predates the column, or a copy
 * taken from the repository (its origin's count applies). */
static const char *const schema_v11[] = {
    "ALTER TABLE mlg_runs ADD COLUMN blas_threads INTEGER;",
    /* The latest measured seconds of the plan's other operators (LOAD,
     * SPLIT, TRANSFORM, EVALUATE) per dataset content, for the cost model
     * (optimes.c): detail names the way (a LOAD parsed / from the cache /
     * in memory) or the pipeline or family; rows what was measured on. */
    "CREATE TABLE mlg_op_times("
    "  dataset_hash TEXT NOT NULL,"
    "  op           TEXT NOT NULL,"
    "  detail       TEXT NOT NULL,"
    "  rows         INTEGER NOT NULL,"
    "  seconds      REAL NOT NULL,"
    "  runs         INTEGER NOT NULL,"
    "  updated_at   TEXT NOT NULL,"
    "  PRIMARY KEY (dataset_hash, op, detail));",
    "DROP VIEW provenance;",
    "CREATE VIEW provenance AS"
    "  SELECT r.id AS run_id, r.experiment_id AS experiment, e.statement, t.name AS task,"
    "         c.family, c.params_json AS config, r.fold, t.seed,"
    "         d.name AS dataset, d.version AS dataset_version, d.hash AS dataset_hash,"
    "         json_extract(e.repro_json, '$.mileage_version') AS mileage_version,"
    "         json_extract(e.repro_json, '$.blas') AS blas,"
    "         json_extract(e.repro_json, '$.sharing') AS sharing,"
    "         r.scores_json AS scores, r.reused_from,"
    "         (SELECT json_extract(oe.repro_json, '$.mileage_version') FROM mlg_runs o"
    "            JOIN mlg_experiments oe ON oe.id = o.experiment_id WHERE o.id = r.reused_from)"
    "           AS reused_mileage_version,"
    "         coalesce(r.blas_threads,"
    "                  (SELECT o.blas_threads FROM mlg_runs o WHERE o.id = r.reused_from)) AS blas_threads"
    "  FROM mlg_runs r"
    "  JOIN mlg_experiments e ON e.id = r.experiment_id"
    "  JOIN mlg_tasks t ON t.id = e.task_id"
    "  JOIN mlg_datasets d ON d.id = t.dataset_id"
    "  JOIN mlg_configs c ON c.id = r.config_id;",
};

/* Version 12: the runs view shows blas_threads as provenance does (a copy
 * taken from the repository shows its origin's), so a query over runs can
 * see which fits ran with several BLAS threads without a join. */
static const char *const schema_v12[] = {
    "DROP VIEW runs;",
    "CREATE VIEW runs AS"
    "  SELECT r.id AS run_id, r.experiment_id AS experiment, t.name AS task,"
    "         d.name AS dataset, r.config_id, c.family, c.params_json AS params,"
    "         r.fold, coalesce(e.metric, t.metric) AS metric, r.score, r.fit_seconds,"
    "         r.predict_seconds, r.status, r.error, r.scores_json AS scores, r.created_at,"
    "         r.rung, r.train_rows, r.warning, r.reused_from, r.seq, r.batch, r.batch_pos,"
    "         coalesce(r.blas_threads,"
    "                  (SELECT o.blas_threads FROM mlg_runs o WHERE o.id = r.reused_from)) AS blas_threads"
    "  FROM mlg_runs r"
    "  JOIN mlg_experiments e ON e.id = r.experiment_id"
    "  JOIN mlg_tasks t ON t.id = e.task_id"
    "  JOIN mlg_datasets d ON d.id = t.dataset_id"
    "  JOIN mlg_configs c ON c.id = r.config_id;",
};

/* Each version's statements, run in order. */
static int run_all(cat_db *db, const char *const *sql, size_t n, ut_err *e)
{
    for (size_t i = 0; i < n; i++)
        if (cat_exec(db, sql[i], e)) return -1;
    return 0;
}
#define MIGRATION(v) \
    static int migrate_to_##v(cat_db *db, ut_err *e) { return run_all(db, schema_v##v, sizeof schema_v##v / sizeof *schema_v##v, e); }
MIGRATION(1)
MIGRATION(2)
MIGRATION(3)
MIGRATION(4)
MIGRATION(5)
MIGRATION(6)
MIGRATION(7)
MIGRATION(8)
MIGRATION(9)
MIGRATION(10)
MIGRATION(11)
MIGRATION(12)

typedef int (*migration)(cat_db *db, ut_err *e);
static const migration migrations[] = {
    migrate_to_1,
    migrate_to_2,
    migrate_to_3,
    migrate_to_4,
    migrate_to_5,
    migrate_to_6,
    migrate_to_7,
    migrate_to_8,
    migrate_to_9,
    migrate_to_10,
    migrate_to_11,
    migrate_to_12,
};

_Static_assert(sizeof migrations / sizeof migrations[0] == CAT_SCHEMA_VERSION,
               "one migration per schema version");

int cat_migrate(cat_db *db, int from, ut_err *e)
{
    for (int v = from + 1; v <= CAT_SCHEMA_VERSION; v++)
        if (migrations[v - 1](db, e)) return -1;
    if (from < CAT_SCHEMA_VERSION) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", CAT_SCHEMA_VERSION);
        if (cat_exec(db, sql, e)) return -1;
    }
    return 0;
}
