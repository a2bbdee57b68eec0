-- jobstate 'current' spec, sampled mode, spark: one row per violation
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
    ('completed-not-100', 'warning', 6)
  AS t(rule, severity, rank)),
jobstate_words AS (SELECT * FROM VALUES
    ('missing-status', '', 'record has no ''status''', '', ''),
    ('illegal-transition', 'notStarted', '''notStarted'' -> ''', ''' is not allowed in sampled mode; reachable from ''notStarted'': inProgress, waiting, cancelPending, completed, failed, cancelled', ''),
    ('illegal-transition', 'inProgress', '''inProgress'' -> ''', ''' is not allowed in sampled mode; reachable from ''inProgress'': waiting, cancelPending, completed, failed, cancelled', ''),
    ('illegal-transition', 'waiting', '''waiting'' -> ''', ''' is not allowed in sampled mode; reachable from ''waiting'': inProgress, cancelPending, completed, failed, cancelled', ''),
    ('illegal-transition', 'cancelPending', '''cancelPending'' -> ''', ''' is not allowed in sampled mode; reachable from ''cancelPending'': cancelled', ''),
    ('after-terminal', 'completed', '''', ''' after terminal ''completed'' (outcome success): a terminal status never changes', ''),
    ('after-terminal', 'failed', '''', ''' after terminal ''failed'' (outcome failure): a terminal status never changes', ''),
    ('after-terminal', 'cancelled', '''', ''' after terminal ''cancelled'' (outcome cancelled): a terminal status never changes', ''),
    ('percentage-range', '', 'percentageComplete ', ' is outside 0-100', ''),
    ('percentage-regression', '', 'percentageComplete went down from ', ' to ', ' with no ''waiting'' in between'),
    ('completed-not-100', 'completed', '''completed'' with percentageComplete ', ', not 100', '')
  AS t(rule, state, a, b, c)),
jobstate_hints AS (SELECT * FROM VALUES
    (0, 'notstarted', 'did you mean ''notStarted''? (values are case-sensitive)'),
    (0, 'inprogress', 'did you mean ''inProgress''? (values are case-sensitive)'),
    (0, 'waiting', 'did you mean ''waiting''? (values are case-sensitive)'),
    (0, 'cancelpending', 'did you mean ''cancelPending''? (values are case-sensitive)'),
    (0, 'completed', 'did you mean ''completed''? (values are case-sensitive)'),
    (0, 'failed', 'did you mean ''failed''? (values are case-sensitive)'),
    (0, 'cancelled', 'did you mean ''cancelled''? (values are case-sensitive)'),
    (1, 'deleteFailed', '''deleteFailed'' belongs to the legacy vocabulary: try --spec legacy or --spec any'),
    (1, 'deletePending', '''deletePending'' belongs to the legacy vocabulary: try --spec legacy or --spec any'),
    (1, 'updating', '''updating'' belongs to the legacy vocabulary: try --spec legacy or --spec any'),
    (2, 'canceled', 'this looks like Azure LRO ''Canceled'' (one l): asyncJobStatus says ''cancelled'''),
    (2, 'cancelled', 'did you mean ''cancelled''? ''cancelled'' belongs to the any vocabulary: try --spec any'),
    (2, 'cancelpending', 'did you mean ''cancelPending''? ''cancelPending'' belongs to the any vocabulary: try --spec any'),
    (2, 'completed', 'did you mean ''completed''? ''completed'' belongs to the legacy vocabulary: try --spec legacy or --spec any'),
    (2, 'deletefailed', 'did you mean ''deleteFailed''? ''deleteFailed'' belongs to the legacy vocabulary: try --spec legacy or --spec any'),
    (2, 'deletepending', 'did you mean ''deletePending''? ''deletePending'' belongs to the legacy vocabulary: try --spec legacy or --spec any'),
    (2, 'failed', 'did you mean ''failed''? ''failed'' belongs to the legacy vocabulary: try --spec legacy or --spec any'),
    (2, 'inprogress', 'did you mean ''inProgress''? ''inProgress'' belongs to the legacy vocabulary: try --spec legacy or --spec any'),
    (2, 'notstarted', 'did you mean ''notStarted''? ''notStarted'' belongs to the legacy vocabulary: try --spec legacy or --spec any'),
    (2, 'running', 'this looks like Graph longRunningOperation / Azure LRO ''running'': asyncJobStatus says ''inProgress'''),
    (2, 'succeeded', 'this looks like Graph longRunningOperation / Azure LRO ''succeeded'': asyncJobStatus says ''completed'''),
    (2, 'unknownfuturevalue', 'this is Graph''s evolvable-enum sentinel ''unknownFutureValue'', not an asyncJobStatus value'),
    (2, 'updating', 'did you mean ''updating''? ''updating'' belongs to the legacy vocabulary: try --spec legacy or --spec any'),
    (2, 'waiting', 'did you mean ''waiting''? ''waiting'' belongs to the legacy vocabulary: try --spec legacy or --spec any')
  AS t(kind, word, hint)),
jobstate_polls AS (
  SELECT `job` AS job, CAST(`status` AS STRING) AS status, CAST(`percentageComplete` AS DOUBLE) AS pct,
    row_number() OVER (PARTITION BY `job` ORDER BY `ts`, `line`) - 1 AS k, `ts` AS ord
  FROM `polls`
),
jobstate_known AS (
  SELECT p.*, s.name AS known, COALESCE(s.success, FALSE) AS known_success,
    COALESCE(s.resets, FALSE) AS resets,
    p.pct IS NOT NULL AND p.pct >= 0 AND p.pct <= 100 AND NOT isnan(p.pct) AS pct_valid
  FROM jobstate_polls p LEFT JOIN jobstate_states s ON s.name = p.status
),
jobstate_events AS (
  SELECT *, CASE WHEN resets THEN -1.0 WHEN pct_valid THEN pct END AS event
  FROM jobstate_known
),
jobstate_carried AS (
  SELECT *, last_value(known, true) OVER (PARTITION BY job ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS state,
    last_value(event, true) OVER (PARTITION BY job ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS last_event
  FROM jobstate_events
),
jobstate_obs AS (
  SELECT c.*, COALESCE(st.terminal, FALSE) AS state_terminal,
    lc.src IS NOT NULL AS legal,
    CASE WHEN c.resets OR c.last_event < 0 THEN NULL ELSE c.last_event END AS before
  FROM jobstate_carried c
  LEFT JOIN jobstate_states st ON st.name = c.state
  LEFT JOIN jobstate_legal_changes lc ON lc.src = c.state AND lc.dst = c.known
),
jobstate_flags AS (
  SELECT job, k, known,
    CASE WHEN status IS NULL THEN 'missing-status' END AS v_missing_status,
    CASE WHEN status IS NOT NULL AND known IS NULL THEN 'unknown-status' END AS v_unknown_status,
    CASE WHEN known IS NOT NULL AND state IS NOT NULL AND known <> state AND state_terminal THEN 'after-terminal' END AS v_after_terminal,
    CASE WHEN known IS NOT NULL AND state IS NOT NULL AND known <> state AND NOT state_terminal AND NOT legal THEN 'illegal-transition' END AS v_illegal_transition,
    CASE WHEN pct IS NOT NULL AND NOT pct_valid THEN 'percentage-range' END AS v_percentage_range,
    CASE WHEN pct_valid AND before IS NOT NULL AND pct < before THEN 'percentage-regression' END AS v_percentage_regression,
    CASE WHEN pct_valid AND known_success AND pct <> 100 THEN 'completed-not-100' END AS v_completed_not_100
  FROM jobstate_obs
),
jobstate_violations AS (
  SELECT f.job, f.k AS idx, r.rule, r.severity, r.rank
  FROM jobstate_flags f JOIN jobstate_rules r ON r.rule IN (f.v_missing_status, f.v_unknown_status, f.v_after_terminal, f.v_illegal_transition, f.v_percentage_range, f.v_percentage_regression, f.v_completed_not_100)
)
, jobstate_said AS (
  SELECT v.*, o.ord, o.status, o.known, o.pct, o.before, w.a, w.b, w.c,
    COALESCE(h0.hint, h1.hint, h2.hint) AS hint,
    substr(o.status, 1, 80) AS cut
  FROM jobstate_violations v JOIN jobstate_obs o ON o.job = v.job AND o.k = v.idx
  LEFT JOIN jobstate_words w ON w.rule = v.rule AND w.state = CASE WHEN v.rule IN ('after-terminal', 'illegal-transition') THEN o.state WHEN v.rule = 'completed-not-100' THEN o.known ELSE '' END
  LEFT JOIN jobstate_hints h0 ON h0.kind = 0 AND h0.word = lower(o.status)
  LEFT JOIN jobstate_hints h1 ON h1.kind = 1 AND h1.word = o.status
  LEFT JOIN jobstate_hints h2 ON h2.kind = 2 AND h2.word = lower(o.status)
), jobstate_quoted AS (
  SELECT *, CASE WHEN instr(cut, '''') > 0 AND instr(cut, '"') = 0 THEN '"' ELSE '''' END AS quote,
    CASE WHEN pct IS NULL THEN NULL WHEN isnan(pct) THEN 'nan' WHEN pct = double('inf') THEN 'inf' WHEN pct = double('-inf') THEN '-inf' ELSE element_at(transform(transform(array(element_at(filter(transform(sequence(0, 16), p -> format_string(concat('%.', p, 'e'), pct)), s -> try_cast(s AS DOUBLE) = pct), 1)), s -> named_struct('sign', CASE WHEN s LIKE '-%' THEN '-' ELSE '' END, 'd', regexp_replace(regexp_extract(s, '^-?([0-9.]+)e', 1), '[.]', ''), 'e', CAST(regexp_extract(s, 'e([-+][0-9]+)$', 1) AS INT))), v -> CASE WHEN v.e >= 16 OR v.e < -4 THEN concat(v.sign, substr(v.d, 1, 1), CASE WHEN length(v.d) > 1 THEN concat('.', substr(v.d, 2)) ELSE '' END, 'e', CASE WHEN v.e < 0 THEN '-' ELSE '+' END, CASE WHEN abs(v.e) < 10 THEN '0' ELSE '' END, CAST(abs(v.e) AS STRING)) WHEN v.e < 0 THEN concat(v.sign, '0.', repeat('0', -v.e - 1), v.d) WHEN length(v.d) <= v.e + 1 THEN concat(v.sign, rpad(v.d, v.e + 1, '0')) ELSE concat(v.sign, substr(v.d, 1, v.e + 1), '.', substr(v.d, v.e + 2)) END), 1) END AS pct_said,
    CASE WHEN before IS NULL THEN NULL WHEN isnan(before) THEN 'nan' WHEN before = double('inf') THEN 'inf' WHEN before = double('-inf') THEN '-inf' ELSE element_at(transform(transform(array(element_at(filter(transform(sequence(0, 16), p -> format_string(concat('%.', p, 'e'), before)), s -> try_cast(s AS DOUBLE) = before), 1)), s -> named_struct('sign', CASE WHEN s LIKE '-%' THEN '-' ELSE '' END, 'd', regexp_replace(regexp_extract(s, '^-?([0-9.]+)e', 1), '[.]', ''), 'e', CAST(regexp_extract(s, 'e([-+][0-9]+)$', 1) AS INT))), v -> CASE WHEN v.e >= 16 OR v.e < -4 THEN concat(v.sign, substr(v.d, 1, 1), CASE WHEN length(v.d) > 1 THEN concat('.', substr(v.d, 2)) ELSE '' END, 'e', CASE WHEN v.e < 0 THEN '-' ELSE '+' END, CASE WHEN abs(v.e) < 10 THEN '0' ELSE '' END, CAST(abs(v.e) AS STRING)) WHEN v.e < 0 THEN concat(v.sign, '0.', repeat('0', -v.e - 1), v.d) WHEN length(v.d) <= v.e + 1 THEN concat(v.sign, rpad(v.d, v.e + 1, '0')) ELSE concat(v.sign, substr(v.d, 1, v.e + 1), '.', substr(v.d, v.e + 2)) END), 1) END AS before_said
  FROM jobstate_said
)
SELECT job, idx, rule, severity, ord AS order_value,
  CASE WHEN rule = 'unknown-status' THEN 'unknown status ' || quote || array_join(transform(regexp_extract_all(cut, '(?s).', 0), c -> CASE WHEN c = quote OR c = '\\' THEN '\\' || c WHEN c = chr(9) THEN '\\t' WHEN c = chr(10) THEN '\\n' WHEN c = chr(13) THEN '\\r' WHEN ascii(c) < 32 OR ascii(c) = 127 THEN format_string('\\x%02x', ascii(c)) WHEN ascii(c) < 127 OR c RLIKE '^[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S} ]$' THEN c WHEN ascii(c) < 256 THEN format_string('\\x%02x', ascii(c)) WHEN ascii(c) < 65536 THEN format_string('\\u%04x', ascii(c)) ELSE format_string('\\U%08x', ascii(c)) END), '')
      || quote || CASE WHEN length(status) > 80 THEN '… (' || format_number(length(status), 0) || ' characters)' ELSE '' END
      || ' (spec current); ' || COALESCE(CASE WHEN length(status) <= 200 THEN hint END, 'expected one of: notStarted, inProgress, waiting, cancelPending, completed, failed, cancelled')
    WHEN a IS NOT NULL THEN a || CASE rule WHEN 'after-terminal' THEN known WHEN 'illegal-transition' THEN known WHEN 'percentage-range' THEN pct_said WHEN 'percentage-regression' THEN before_said WHEN 'completed-not-100' THEN pct_said ELSE '' END
      || b || CASE WHEN rule = 'percentage-regression' THEN pct_said ELSE '' END || c
  END AS message
FROM jobstate_quoted
ORDER BY job, idx, rank
