/**
 * The one place where single-node and cluster ClickHouse DDL differ. Migrations are written in
 * single-node form; in cluster mode each `CREATE TABLE db.t (…) ENGINE = XMergeTree…` becomes a
 * `ReplicatedXMergeTree` table `db.t_local ON CLUSTER` plus a `Distributed` table `db.t` in front,
 * so queries and inserts keep using the plain name everywhere else. A `CREATE MATERIALIZED VIEW db.v TO
 * db.t AS SELECT … FROM db.s` becomes one view per shard `ON CLUSTER`, from `db.s_local` into `db.t_local`.
 * A plain `CREATE VIEW` and a `CREATE DATABASE` just gain `ON CLUSTER`.
 */
export interface DdlTarget {
  database: string;
  cluster?: string;
}

/** Splits a migration file into statements (on `;` at the end of a line; comments kept with the next one). */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.replace(/^--.*$/gm, '').trim().length > 0);
}

/** Substitutes `${db}` and, in cluster mode, rewrites each statement; returns statements to run in order. */
export function renderMigration(sql: string, target: DdlTarget): string[] {
  const statements = splitStatements(sql.replaceAll('${db}', target.database));
  if (!target.cluster) return statements;
  return statements.flatMap((s) => toCluster(s, target.database, target.cluster!));
}

export function createDatabaseStatement(target: DdlTarget): string {
  return target.cluster
    ? `CREATE DATABASE IF NOT EXISTS ${target.database} ON CLUSTER '${target.cluster}'`
    : `CREATE DATABASE IF NOT EXISTS ${target.database}`;
}

const createTable = /^CREATE TABLE IF NOT EXISTS ([A-Za-z_][\w]*)\.([A-Za-z_][\w]*)\s*\(/;
const createDatabase = /^CREATE DATABASE IF NOT EXISTS ([A-Za-z_]\w*)\s*$/;
const createView = /^CREATE VIEW IF NOT EXISTS ([A-Za-z_]\w*)\.([A-Za-z_]\w*) AS/;
const alterTable = /^ALTER TABLE ([A-Za-z_]\w*)\.([A-Za-z_]\w*)(?=\s)/;
const createMaterializedView = /^CREATE MATERIALIZED VIEW IF NOT EXISTS ([A-Za-z_]\w*)\.([A-Za-z_]\w*) TO ([A-Za-z_]\w*)\.([A-Za-z_]\w*) AS/;

function toCluster(statement: string, database: string, cluster: string): string[] {
  const body = stripComments(statement);
  const shardKey = /--\s*shard:\s*(.+)$/m.exec(statement)?.[1]?.trim() ?? 'rand()';
  const newDb = createDatabase.exec(body);
  if (newDb) return [`CREATE DATABASE IF NOT EXISTS ${newDb[1]} ON CLUSTER '${cluster}'`];
  const view = createView.exec(body);
  // a plain view reads the Distributed tables (the plain names), so it sees the whole cluster from any node
  if (view) return [`CREATE VIEW IF NOT EXISTS ${view[1]}.${view[2]} ON CLUSTER '${cluster}' AS${body.slice(view[0].length)}`];
  const mv = createMaterializedView.exec(body);
  if (mv) {
    // the view runs on each shard, reading the local source and writing the local target (both sharded
    // by distinct_id, so a shard's rows stay on it)
    const [head, db, view, targetDb, target] = mv;
    const select = body.slice(head.length).replace(new RegExp(`\\b${database}\\.([A-Za-z_]\\w*)`, 'g'), `${database}.$1_local`);
    return [`CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${view} ON CLUSTER '${cluster}' TO ${targetDb}.${target}_local AS${select}`];
  }
  const alter = alterTable.exec(body);
  if (alter) {
    // a column change applies to each shard's table and to the Distributed table in front (which must
    // name the column to read it); materializing a column rewrites stored parts, which only shards hold
    const [head, db, table] = alter;
    const rest = body.slice(head.length);
    const local = `ALTER TABLE ${db}.${table}_local ON CLUSTER '${cluster}'${rest}`;
    return /^\s*MATERIALIZE COLUMN/.test(rest) ? [local] : [local, `ALTER TABLE ${db}.${table} ON CLUSTER '${cluster}'${rest}`];
  }
  const m = createTable.exec(body);
  if (!m) {
    if (/^(ALTER TABLE|CREATE (MATERIALIZED )?VIEW|DROP TABLE)/.test(body)) {
      throw new Error(`cluster DDL: no rewrite rule yet for: ${body.slice(0, 60)}…`);
    }
    return [body];
  }
  const [, db, table] = m;
  const local = `${table}_local`;
  const columnsEnd = matchingParen(body, m[0].length - 1);
  const columns = body.slice(m[0].length - 1, columnsEnd + 1);
  const rest = body.slice(columnsEnd + 1);
  const engine = /ENGINE\s*=\s*(\w*MergeTree)(\(([^)]*)\))?/.exec(rest);
  if (!engine) throw new Error(`cluster DDL: ${db}.${table} has no MergeTree engine`);
  const zkPath = `'/clickhouse/tables/{shard}/${database}/${local}'`;
  const args = [zkPath, `'{replica}'`, ...(engine[3]?.trim() ? [engine[3].trim()] : [])].join(', ');
  const replicated = rest.replace(engine[0], `ENGINE = Replicated${engine[1]}(${args})`);
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.${local} ON CLUSTER '${cluster}'\n${columns}\n${replicated.trim()}`,
    `CREATE TABLE IF NOT EXISTS ${db}.${table} ON CLUSTER '${cluster}' AS ${db}.${local}\n` +
      `ENGINE = Distributed('${cluster}', '${db}', '${local}', ${shardKey})`,
  ];
}

function stripComments(sql: string): string {
  return sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .trim();
}

/** Index of the parenthesis closing the one at `open`, skipping quoted strings. */
function matchingParen(s: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '`' || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  throw new Error('cluster DDL: unbalanced parentheses');
}
