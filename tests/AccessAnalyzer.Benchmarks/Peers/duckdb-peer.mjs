// Runs the DuckDB peer: loads the canonical CSV files into an in-memory database (every column as text, as the
// PostgreSQL peer), then runs the adapted plain-SQL statement and writes its result as CSV.
// Usage: node duckdb-peer.mjs <csv-dir> <statement.sql> <out.csv>; prints one JSON line with the timings.
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, sqlFile, outFile] = process.argv.slice(2);
const tables = {
  org_units: ['id', 'parent_id', 'kind', 'name'],
  principals: ['id', 'kind', 'organization', 'unit_id', 'name', 'active', 'mfa', 'last_login'],
  groups: ['id', 'name'],
  memberships: ['group_id', 'member_id', 'member_type'],
  roles: ['id', 'name', 'file_access', 'sensitive'],
  assignments: ['id', 'role_id', 'holder_id', 'holder_type', 'scope', 'scope_unit_id', 'valid_until'],
  files: ['id', 'unit_id', 'sensitive', 'closed'],
  caseload: ['file_id', 'principal_id'],
  shares: ['file_id', 'principal_id', 'valid_until'],
};
const quote = (s) => "'" + s.replaceAll("'", "''") + "'";
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const version = (await con.runAndReadAll('SELECT version()')).getRows()[0][0];
const threads = (await con.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0];
const t0 = performance.now();
for (const [table, columns] of Object.entries(tables)) {
  const path = join(dir, table + '.csv');
  if (existsSync(path)) {
    await con.run(`CREATE TABLE ${table} AS SELECT * FROM read_csv(${quote(path)}, header = true, all_varchar = true, ` +
      `delim = ',', quote = '"', escape = '"')`);
  } else {
    await con.run(`CREATE TABLE ${table} (${columns.map((c) => c + ' VARCHAR').join(', ')})`);
  }
}
const t1 = performance.now();
const sql = readFileSync(sqlFile, 'utf8');
await con.run(`COPY (${sql}) TO ${quote(outFile)} (HEADER, DELIMITER ',')`);
const t2 = performance.now();
console.log(JSON.stringify({ version, threads: Number(threads), loadMs: t1 - t0, queryMs: t2 - t1 }));
