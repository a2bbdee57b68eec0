-- jobstate 'current' spec, sampled mode, spark: one row per job
WITH
jobstate_states AS (SELECT * FROM VALUES
    ('notStarted', FALSE, FALSE, FALSE, 'unfinished'),
    ('inProgress', FALSE, FALSE, FALSE, 'unfinished'),
    ('waiting', FALSE, FALSE, TRUE, 'unfinished'),
    ('cancelPending', FALSE, FALSE, FALSE, 'unfinished'),
    ('completed', TRUE, TRUE, FALSE, 'success'),
    ('failed', TRUE, FALSE, FALSE, 'failure'),
    ('cancelled', TRUE, FALSE, FALSE, 'cancelled')
  AS t(name, terminal, success, resets, outcome)),
jobstate_legal_changes AS (SELECT * FROM VALUES
    ('cancelPending', 'cancelled'),
    ('inProgress', 'cancelPending'),
    ('inProgress', 'cancelled'),
    ('inProgress', 'completed'),
    ('inProgress', 'failed'),
    ('inProgress', 'waiting'),
    ('notStarted', 'cancelPending'),
    ('notStarted', 'cancelled'),
    ('notStarted', 'completed'),
    ('notStarted', 'failed'),
    ('notStarted', 'inProgress'),
    ('notStarted', 'waiting'),
    ('waiting', 'cancelPending'),
    ('waiting', 'cancelled'),
    ('waiting', 'completed'),
    ('waiting', 'failed'),
    ('waiting', 'inProgress')
  AS t(src, dst)),
jobstate_rules AS (SELECT * FROM VALUES
    ('missing-status', 'error', 0),
    ('unknown-status', 'error', 1),
    ('after-terminal', 'error', 2),
    ('illegal-transition', 'error', 3),
    ('percentage-range', 'error', 4),
    ('percentage-regression', 'warning', 5),
    ('completed-not-100', 'warning', 6),
    ('monitor-lost', 'error', 7)
  AS t(rule, severity, rank)),
jobstate_answers AS (
  SELECT `job` AS job, CAST(`status` AS STRING) AS given, CAST(`percentageComplete` AS DOUBLE) AS given_pct,
    CAST(`http_status` AS INTEGER) AS http, CAST(`error_code` AS STRING) AS error_code,
    row_number() OVER (PARTITION BY `job` ORDER BY `ts`, `line`) - 1 AS k, `ts` AS ord
  FROM `polls`
),
jobstate_polls AS (
  SELECT job, k, ord, http,
    CASE WHEN http >= 400 AND given IS NULL AND (http IN (404, 410) OR error_code = 'operationNotFound') THEN 'gone'
      WHEN http >= 300 AND http <> 303 AND given IS NULL THEN 'error' END AS answer,
    CASE WHEN http = 303 AND given IS NULL THEN 'completed' ELSE given END AS status,
    CASE WHEN http >= 300 AND given IS NULL THEN NULL ELSE given_pct END AS pct
  FROM jobstate_answers
),
jobstate_known AS (
  SELECT p.*, s.name AS known, COALESCE(s.success, FALSE) AS known_success,
    COALESCE(s.resets, FALSE) AS resets, COALESCE(s.terminal, FALSE) AS known_terminal,
    p.pct IS NOT NULL AND p.pct >= 0 AND p.pct <= 100 AND NOT isnan(p.pct) AS pct_valid
  FROM jobstate_polls p LEFT JOIN jobstate_states s ON s.name = p.status
),
jobstate_events AS (
  SELECT *, CASE WHEN resets THEN -1.0 WHEN pct_valid THEN pct END AS event
  FROM jobstate_known
),
jobstate_carried AS (
  SELECT *, last_value(known, true) OVER (PARTITION BY job ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS state,
    min(CASE WHEN known_terminal THEN k END) OVER (PARTITION BY job) AS first_end,
    last_value(event, true) OVER (PARTITION BY job ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS last_event
  FROM jobstate_events
),
jobstate_obs AS (
  SELECT c.*, COALESCE(st.terminal, FALSE) AS state_terminal,
    min(CASE WHEN c.answer = 'gone' AND (c.first_end IS NULL OR c.first_end > c.k) THEN c.k END) OVER (PARTITION BY c.job) AS first_lost,
    lc.src IS NOT NULL AS legal,
    CASE WHEN c.resets OR c.last_event < 0 THEN NULL ELSE c.last_event END AS before
  FROM jobstate_carried c
  LEFT JOIN jobstate_states st ON st.name = c.state
  LEFT JOIN jobstate_legal_changes lc ON lc.src = c.state AND lc.dst = c.known
),
jobstate_flags AS (
  SELECT job, k, known, http,
    CASE WHEN status IS NULL AND answer IS NULL THEN 'missing-status' END AS v_missing_status,
    CASE WHEN status IS NOT NULL AND known IS NULL THEN 'unknown-status' END AS v_unknown_status,
    CASE WHEN known IS NOT NULL AND state IS NOT NULL AND known <> state AND state_terminal THEN 'after-terminal' END AS v_after_terminal,
    CASE WHEN known IS NOT NULL AND state IS NOT NULL AND known <> state AND NOT state_terminal AND NOT legal THEN 'illegal-transition' END AS v_illegal_transition,
    CASE WHEN pct IS NOT NULL AND NOT pct_valid THEN 'percentage-range' END AS v_percentage_range,
    CASE WHEN pct_valid AND before IS NOT NULL AND pct < before THEN 'percentage-regression' END AS v_percentage_regression,
    CASE WHEN pct_valid AND known_success AND pct <> 100 THEN 'completed-not-100' END AS v_completed_not_100,
    CASE WHEN k = first_lost THEN 'monitor-lost' END AS v_monitor_lost
  FROM jobstate_obs
),
jobstate_violations AS (
  SELECT f.job, f.k AS idx, r.rule, r.severity, r.rank, f.http
  FROM jobstate_flags f JOIN jobstate_rules r ON r.rule IN (f.v_missing_status, f.v_unknown_status, f.v_after_terminal, f.v_illegal_transition, f.v_percentage_range, f.v_percentage_regression, f.v_completed_not_100, f.v_monitor_lost)
)
, jobstate_per_job AS (
  SELECT o.job, count(*) AS observations, min_by(o.known, o.k) FILTER (WHERE st.terminal) AS first_terminal,
    count(CASE WHEN o.answer = 'error' THEN 1 END) AS error_answers,
    count(CASE WHEN o.answer IS NULL AND o.http >= 500 THEN 1 END) AS transient,
    count(CASE WHEN o.answer = 'gone' AND o.first_end < o.k THEN 1 END) AS expired,
    count(CASE WHEN o.answer = 'gone' AND (o.first_end IS NULL OR o.first_end > o.k) THEN 1 END) AS lost
  FROM jobstate_obs o LEFT JOIN jobstate_states st ON st.name = o.known
  GROUP BY o.job
), jobstate_per_job_violations AS (
  SELECT v.job,
    count(CASE WHEN v.severity = 'error' THEN 1 END) AS errors,
    count(CASE WHEN v.severity = 'warning' THEN 1 END) AS warnings,
    transform(array_sort(collect_list(named_struct('idx', v.idx, 'rank', v.rank, 'rule', v.rule))), x -> named_struct('idx', x.idx, 'rule', x.rule)) AS violations
  FROM jobstate_violations v
  GROUP BY v.job
)
SELECT j.job, j.observations,
  COALESCE(s.outcome, 'unfinished') AS outcome,
  COALESCE(pv.errors, 0) AS errors, COALESCE(pv.warnings, 0) AS warnings,
  pv.violations, j.error_answers, j.transient, j.expired, j.lost
FROM jobstate_per_job j
LEFT JOIN jobstate_states s ON s.name = j.first_terminal
LEFT JOIN jobstate_per_job_violations pv ON pv.job = j.job
ORDER BY j.job
