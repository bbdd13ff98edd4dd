-- DuckDB flavour of peer.postgres.sql (lists instead of arrays). The plain-SQL peer (../shared/peers/q_ns_duck.sql) adapted to the canonical tables and the full semantics of DESIGN.md:
-- roles without file access grant nothing, valid_until before the as-of date ends an assignment or a share, caseload
-- scopes reach the principal's own files wherever they are, shares in force add files, sensitive excess counts
-- sensitive files reached through a sensitive role, link tables are sets, and dangling rows are ignored as the engine
-- ignores them (a unit-scope grant on a missing unit grants nothing; a file on a missing unit is reachable only through
-- a caseload scope or a share). Nested-set intervals over the org tree and a window-function sweep: no principal x file
-- enumeration. Every column is read as text (booleans true/false/1/0 in any case, dates with or without a time).
-- :as_of is replaced by the harness with a DATE literal. One result row per principal.
WITH RECURSIVE
ou AS (SELECT id, NULLIF(parent_id, '') AS parent_id FROM org_units),
t(id, path) AS (                          -- org tree walk; a unit whose parent is missing is a root of its own
  SELECT o.id, [o.id] FROM ou o
  WHERE o.parent_id IS NULL OR NOT EXISTS (SELECT 1 FROM ou p WHERE p.id = o.parent_id)
  UNION ALL
  SELECT o.id, list_append(t.path, o.id) FROM t JOIN ou o ON o.parent_id = t.id
),
oc AS (SELECT unnest(path) AS anc, id AS des FROM t),              -- ancestor-or-self closure
unit_files AS (
  SELECT unit_id AS u, count(*) AS n, count(*) FILTER (WHERE lower(trim(sensitive)) IN ('true', '1')) AS ns
  FROM files GROUP BY 1
),
tree AS (                                 -- nested-set interval [pre, post] + files (all, sensitive) in the subtree
  SELECT pr.id, pr.pre, pr.pre + sz.cnt - 1 AS post, sz.files, sz.sfiles
  FROM (SELECT id, row_number() OVER (ORDER BY path) AS pre FROM t) pr
  JOIN (SELECT oc.anc, count(*) AS cnt, coalesce(sum(uf.n), 0) AS files, coalesce(sum(uf.ns), 0) AS sfiles
        FROM oc LEFT JOIN unit_files uf ON uf.u = oc.des GROUP BY oc.anc) sz ON sz.anc = pr.id
),
gm AS (                                   -- memberships naming an existing group, as a set
  SELECT DISTINCT m.group_id, m.member_id, lower(trim(m.member_type)) AS mt
  FROM memberships m WHERE EXISTS (SELECT 1 FROM groups g WHERE g.id = m.group_id)
),
gc(g, a) AS (                             -- group -> itself + every enclosing group (UNION: cycle-safe)
  SELECT id, id FROM groups
  UNION
  SELECT gc.g, gm.group_id FROM gc JOIN gm ON gm.member_id = gc.a AND gm.mt = 'group'
),
pg AS (                                   -- principal -> every group it is in, directly or through nesting
  SELECT DISTINCT gm.member_id AS p, gc.a AS g
  FROM gm JOIN gc ON gc.g = gm.group_id
  WHERE gm.mt = 'principal' AND EXISTS (SELECT 1 FROM principals pr WHERE pr.id = gm.member_id)
),
ga AS (                                   -- assignments in force of roles that grant reading files
  SELECT a.holder_id AS h, lower(trim(a.holder_type)) AS ht, lower(trim(a.scope)) AS sc, a.scope_unit_id AS su,
         lower(trim(r.sensitive)) IN ('true', '1') AS rs
  FROM assignments a JOIN roles r ON r.id = a.role_id
  WHERE lower(trim(r.file_access)) IN ('true', '1')
    AND (coalesce(trim(a.valid_until), '') = '' OR CAST(substr(trim(a.valid_until), 1, 10) AS date) >= :as_of)
),
pgr AS (                                  -- grants per principal: held directly or through its groups
  SELECT ga.h AS p, ga.sc, ga.su, ga.rs FROM ga
  WHERE ga.ht = 'principal' AND EXISTS (SELECT 1 FROM principals pr WHERE pr.id = ga.h)
  UNION ALL
  SELECT pg.p, ga.sc, ga.su, ga.rs FROM ga JOIN pg ON pg.g = ga.h WHERE ga.ht = 'group'
),
ps AS (SELECT pgr.p, pgr.rs, tr.pre, tr.post, tr.files, tr.sfiles FROM pgr JOIN tree tr ON tr.id = pgr.su WHERE pgr.sc = 'unit'),
cs AS (SELECT DISTINCT p FROM pgr WHERE sc = 'caseload'),
ms AS (                                   -- maximal unit scopes: not inside an earlier interval of the same principal
  SELECT p, pre, post, files FROM (
    SELECT p, pre, post, files,
           max(post) OVER (PARTITION BY p ORDER BY pre ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS cover
    FROM ps) x
  WHERE cover IS NULL OR pre > cover
),
mss AS (                                  -- the same for the scopes of sensitive roles
  SELECT p, pre, post, sfiles FROM (
    SELECT p, pre, post, sfiles,
           max(post) OVER (PARTITION BY p ORDER BY pre ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS cover
    FROM ps WHERE rs) x
  WHERE cover IS NULL OR pre > cover
),
reach_u AS (SELECT p, sum(files) AS n FROM ms GROUP BY p),
sreach AS (SELECT p, sum(sfiles) AS n FROM mss GROUP BY p),
cu AS (                                   -- distinct caseload pairs of existing files, per (principal, unit, sensitive)
  SELECT c.principal_id AS p, f.unit_id AS u, lower(trim(f.sensitive)) IN ('true', '1') AS sens, count(*) AS n
  FROM (SELECT DISTINCT file_id, principal_id FROM caseload) c JOIN files f ON f.id = c.file_id
  GROUP BY 1, 2, 3
),
sh AS (                                   -- shares in force, as a set of (file, principal)
  SELECT DISTINCT s.file_id, s.principal_id FROM shares s
  WHERE coalesce(trim(s.valid_until), '') = '' OR CAST(substr(trim(s.valid_until), 1, 10) AS date) >= :as_of
),
shc AS (                                  -- shared pairs that are also caseload pairs
  SELECT DISTINCT c.file_id, c.principal_id FROM caseload c
  JOIN sh ON sh.file_id = c.file_id AND sh.principal_id = c.principal_id
),
shf AS (
  SELECT sh.principal_id AS p, f.unit_id AS u, (shc.file_id IS NOT NULL) AS in_cl
  FROM sh JOIN files f ON f.id = sh.file_id
  LEFT JOIN shc ON shc.file_id = sh.file_id AND shc.principal_id = sh.principal_id
),
ev AS (                                   -- intervals (kind 0) and the caseload (1) and share (2) items to place
  SELECT p, pre, post AS post_all, CAST(NULL AS bigint) AS post_s, 0 AS kind, false AS sens, false AS in_cl, CAST(0 AS bigint) AS n FROM ms
  UNION ALL SELECT p, pre, NULL, post, 0, false, false, 0 FROM mss
  UNION ALL SELECT cu.p, tr.pre, NULL, NULL, 1, cu.sens, false, cu.n FROM cu JOIN tree tr ON tr.id = cu.u
  UNION ALL SELECT shf.p, tr.pre, NULL, NULL, 2, false, shf.in_cl, 1 FROM shf JOIN tree tr ON tr.id = shf.u
),
items AS (                                -- sweep: an item is covered when a running max(post) reaches its position
  SELECT p, kind, sens, in_cl, n, in_u, in_s FROM (
    SELECT p, kind, sens, in_cl, n, pre,
           coalesce(max(post_all) OVER w >= pre, false) AS in_u,
           coalesce(max(post_s) OVER w >= pre, false) AS in_s
    FROM ev WINDOW w AS (PARTITION BY p ORDER BY pre, kind ROWS UNBOUNDED PRECEDING)) y
  WHERE kind > 0
  UNION ALL                               -- items on a unit that is not in the org tree: never in a unit scope
  SELECT cu.p, 1, cu.sens, false, cu.n, false, false FROM cu WHERE NOT EXISTS (SELECT 1 FROM tree tr WHERE tr.id = cu.u)
  UNION ALL
  SELECT shf.p, 2, false, shf.in_cl, 1, false, false FROM shf WHERE NOT EXISTS (SELECT 1 FROM tree tr WHERE tr.id = shf.u)
),
agg AS (
  SELECT i.p,
         sum(i.n) FILTER (WHERE i.kind = 1) AS cfiles,
         sum(i.n) FILTER (WHERE i.kind = 1 AND i.in_u) AS c_in_u,
         sum(i.n) FILTER (WHERE i.kind = 1 AND NOT i.in_u) AS c_out,
         sum(i.n) FILTER (WHERE i.kind = 1 AND i.sens AND i.in_s) AS c_sens_in_s,
         sum(i.n) FILTER (WHERE i.kind = 2 AND NOT i.in_u AND NOT (i.in_cl AND cs.p IS NOT NULL)) AS sh_extra,
         sum(i.n) FILTER (WHERE i.kind = 2 AND NOT i.in_u AND i.in_cl AND cs.p IS NULL) AS sh_cl
  FROM items i LEFT JOIN cs ON cs.p = i.p GROUP BY i.p
),
result AS (
  SELECT pr.id AS principal_id,
         coalesce(r.n, 0) + CASE WHEN cs.p IS NOT NULL THEN coalesce(a.c_out, 0) ELSE 0 END + coalesce(a.sh_extra, 0) AS reachable,
         coalesce(a.cfiles, 0) AS caseload_files,
         coalesce(a.c_in_u, 0) + CASE WHEN cs.p IS NOT NULL THEN coalesce(a.c_out, 0) ELSE 0 END + coalesce(a.sh_cl, 0) AS caseload_in_reach,
         coalesce(sr.n, 0) - coalesce(a.c_sens_in_s, 0) AS sensitive_excess
  FROM principals pr
  LEFT JOIN reach_u r ON r.p = pr.id
  LEFT JOIN sreach sr ON sr.p = pr.id
  LEFT JOIN cs ON cs.p = pr.id
  LEFT JOIN agg a ON a.p = pr.id
)
SELECT principal_id, reachable, caseload_files, caseload_in_reach, reachable - caseload_in_reach AS excess, sensitive_excess
FROM result ORDER BY principal_id
