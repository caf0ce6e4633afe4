import type { ClickHouseClient } from '@clickhouse/client';
import { createOlapClient, type OlapConnectionOptions } from '../store/olap/client.ts';

/**
 * The analysts' read-only SQL console. A query is accepted only when ClickHouse itself says it is one
 * SELECT over the safe views, and runs with the engine's own limits:
 *
 * 1. `formatQuery({q:String})`: the text goes in as a parameter and comes back as the parser's canonical
 *    rendering of exactly one statement (several statements are a syntax error), so nothing the caller
 *    writes can start a second statement in what follows.
 * 2. `EXPLAIN AST`: the statement must be a SELECT, carry no SETTINGS (a subquery's SETTINGS could lift
 *    `readonly`), name no other database, and call no function that reads outside the query (`file`,
 *    `dictGet`, `joinGet` …); table functions other than the number generators are refused.
 * 3. `EXPLAIN QUERY TREE`: the analyzer resolves every table (CTEs, `IN table`, unqualified names): each
 *    must be one of `<db>_safe`'s views.
 * 4. The query runs wrapped as `SELECT * FROM (…) LIMIT n+1` with `readonly = 1`, `max_result_rows`,
 *    `max_execution_time` and a memory cap as query-level SETTINGS (never session settings: embedded, a
 *    session setting would outlive the query).
 */

export const SAFE_VIEWS = ['events', 'profiles', 'identities', 'tags', 'segment_members', 'segment_changes', 'items'] as const;

export const safeDatabase = (db: string) => `${db}_safe`;

const TABLE_FUNCTIONS_ALLOWED = new Set(['numbers', 'numbers_mt', 'zeros', 'zeros_mt', 'generate_series', 'generateseries', 'values']);
const FUNCTIONS_REFUSED = /^(file|filesystem\w*|dict\w*|joinget\w*|catboostevaluate|modelevaluate|evalmlmethod|getsetting|getserversetting|getmacro|hostname|fqdn|currentuser|currentprofiles|currentroles|enabledroles|defaultroles|initialqueryid|queryid|getclienthttpheader|input|naivebayesclassifier)$/i;

export interface SqlLimits {
  /** rows returned at most; more makes `truncated` true */
  maxRows: number;
  /** seconds before the engine stops the query */
  timeoutSeconds: number;
  /** bytes of memory the query may use */
  maxMemoryBytes: number;
}

export interface SqlResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  elapsedMs: number;
}

/** A query the console will not run; `code` names the rule, the message says what was refused. */
export class SqlRefused extends Error {
  constructor(
    readonly code: 'sql_syntax' | 'sql_not_select' | 'sql_not_allowed' | 'sql_timeout' | 'sql_too_many_rows' | 'sql_error',
    message: string,
  ) {
    super(message);
  }
}

interface AstNode {
  kind: string;
  arg: string;
  depth: number;
  parent: AstNode | null;
}

/** `EXPLAIN AST` text → nodes with their parents (indentation is the tree). */
function parseAst(text: string): AstNode[] {
  const nodes: AstNode[] = [];
  const stack: AstNode[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const depth = line.length - line.trimStart().length;
    const m = /^(\S+)\s*(.*)$/.exec(line.trim())!;
    while (stack.length && stack[stack.length - 1]!.depth >= depth) stack.pop();
    const node: AstNode = { kind: m[1]!, arg: m[2]!.replace(/\s*\((children \d+|alias [^)]*)\)/g, '').trim(), depth, parent: stack[stack.length - 1] ?? null };
    nodes.push(node);
    stack.push(node);
  }
  return nodes;
}

function clickhouseMessage(err: unknown): string {
  const msg = (err as Error).message ?? String(err);
  return msg.replace(/^Query failed: /, '').replace(/^Code: \d+\. DB::Exception: /, '').replace(/\s*\(version [^)]*\)\s*$/, '').replace(/: In scope SELECT formatQuery\(.*$/s, '').trim();
}

/** Checks a query and returns the canonical statement to run, or throws SqlRefused. */
async function checkQuery(client: ClickHouseClient, db: string, query: string): Promise<string> {
  const safe = safeDatabase(db);
  let formatted: string;
  try {
    const rs = await client.query({ query: 'SELECT formatQuery({q:String}) AS q', query_params: { q: query }, format: 'JSONEachRow' });
    formatted = (await rs.json<{ q: string }>())[0]!.q;
  } catch (err) {
    throw new SqlRefused('sql_syntax', clickhouseMessage(err));
  }
  if (!/^(SELECT|WITH|\()/.test(formatted)) {
    throw new SqlRefused('sql_not_select', `only SELECT statements are allowed; this is ${/^[A-Z]+(?: [A-Z]+)?/.exec(formatted)?.[0] ?? 'not a SELECT'}`);
  }
  if (/^\s*(INTO OUTFILE|FORMAT)\b/m.test(formatted)) throw new SqlRefused('sql_not_allowed', 'INTO OUTFILE and FORMAT are not allowed: results come back as JSON');
  // a line of the canonical text that starts with SETTINGS is the clause (string literals never span lines there)
  if (/^\s*SETTINGS\b/m.test(formatted)) throw new SqlRefused('sql_not_allowed', 'a SETTINGS clause is not allowed: the console sets the limits');

  const ast = parseAst(await explain(client, `EXPLAIN AST ${formatted}`));
  const root = ast[0]?.kind ?? '';
  if (!/^Select(WithUnion|IntersectExcept)Query$/.test(root)) {
    throw new SqlRefused('sql_not_select', `only SELECT statements are allowed; this is ${root.replace(/Query$/, '') || 'not a query'}`);
  }
  const rs = await client.query({ query: 'SELECT name FROM system.databases', format: 'JSONEachRow' });
  const databases = new Set((await rs.json<{ name: string }>()).map((r) => r.name.toLowerCase()));
  for (const n of ast) {
    if (n.kind === 'Set') throw new SqlRefused('sql_not_allowed', 'a SETTINGS clause is not allowed: the console sets the limits');
    if (n.kind === 'TableIdentifier' && n.arg.includes('.') && n.arg.split('.')[0] !== safe && n.arg !== 'system.one') {
      throw new SqlRefused('sql_not_allowed', `table ${n.arg} is not allowed: query the safe views ${SAFE_VIEWS.map((v) => `${safe}.${v}`).join(', ')}`);
    }
    if (n.kind === 'Identifier' && n.arg.includes('.')) {
      const first = n.arg.split('.')[0]!.toLowerCase();
      if (databases.has(first) && first !== safe.toLowerCase()) throw new SqlRefused('sql_not_allowed', `${n.arg}: only the safe views of ${safe} may be read`);
    }
    if (n.kind === 'Function') {
      const name = n.arg.toLowerCase();
      if (n.parent?.kind === 'TableExpression' && !TABLE_FUNCTIONS_ALLOWED.has(name)) {
        throw new SqlRefused('sql_not_allowed', `table function ${n.arg}() is not allowed: query the safe views of ${safe}`);
      }
      if (FUNCTIONS_REFUSED.test(name)) throw new SqlRefused('sql_not_allowed', `function ${n.arg}() is not allowed in the console`);
    }
  }

  // the analyzer resolves every table the query reads, whatever the spelling
  const tree = await explain(client, `EXPLAIN QUERY TREE SELECT * FROM (${formatted}) SETTINGS readonly = 1, max_execution_time = 10`);
  for (const m of tree.matchAll(/\bTABLE id: \d+(?:, alias: [^,\n]+)?, table_name: ([^\s,]+)/g)) {
    const [dbName, table] = m[1]!.split('.');
    if (m[1] === 'system.one') continue; // the one-row table a SELECT without FROM reads
    if (dbName !== safe || !(SAFE_VIEWS as readonly string[]).includes(table ?? '')) {
      throw new SqlRefused('sql_not_allowed', `table ${m[1]} is not allowed: query the safe views ${SAFE_VIEWS.map((v) => `${safe}.${v}`).join(', ')}`);
    }
  }
  for (const m of tree.matchAll(/\bTABLE_FUNCTION id: \d+(?:, alias: [^,\n]+)?, table_function_name: (\w+)/g)) {
    if (!TABLE_FUNCTIONS_ALLOWED.has(m[1]!.toLowerCase())) throw new SqlRefused('sql_not_allowed', `table function ${m[1]}() is not allowed`);
  }
  return formatted;
}

async function explain(client: ClickHouseClient, sql: string): Promise<string> {
  try {
    // as a subquery: the client appends `FORMAT …`, which would otherwise become part of the explained statement
    const rs = await client.query({ query: `SELECT explain FROM (${sql})`, format: 'JSONEachRow' });
    return (await rs.json<{ explain: string }>()).map((r) => r.explain).join('\n');
  } catch (err) {
    const msg = clickhouseMessage(err);
    if (/UNKNOWN_TABLE|Unknown table/.test(msg)) throw new SqlRefused('sql_not_allowed', `${msg}; the console reads the safe views, named <database>.<view>: see GET /api/v1/sql/views`);
    throw new SqlRefused(/READONLY/.test(msg) ? 'sql_not_allowed' : 'sql_error', msg);
  }
}

/** Checks and runs one console query under the limits. */
async function runQuery(client: ClickHouseClient, db: string, query: string, limits: SqlLimits): Promise<SqlResult> {
  const statement = await checkQuery(client, db, query);
  const started = Date.now();
  const cap = limits.maxRows + 1;
  const settings = [
    'readonly = 1',
    `max_result_rows = ${cap}`,
    `result_overflow_mode = 'throw'`,
    `max_execution_time = ${limits.timeoutSeconds}`,
    `timeout_overflow_mode = 'throw'`,
    `max_memory_usage = ${limits.maxMemoryBytes}`,
  ].join(', ');
  let body: { meta: { name: string; type: string }[]; data: unknown[][] };
  try {
    const rs = await client.query({ query: `SELECT * FROM (${statement}) LIMIT ${cap} SETTINGS ${settings}`, format: 'JSONCompact' });
    body = (await rs.json()) as unknown as typeof body;
  } catch (err) {
    const msg = clickhouseMessage(err);
    if (/TIMEOUT_EXCEEDED|Timeout exceeded/.test(msg)) throw new SqlRefused('sql_timeout', `the query ran longer than the limit of ${limits.timeoutSeconds} s`);
    if (/TOO_MANY_ROWS|Limit for result exceeded/.test(msg)) throw new SqlRefused('sql_too_many_rows', `the result exceeds ${limits.maxRows} rows`);
    if (/READONLY|readonly/.test(msg)) throw new SqlRefused('sql_not_allowed', msg);
    throw new SqlRefused('sql_error', msg);
  }
  const truncated = body.data.length > limits.maxRows;
  const rows = truncated ? body.data.slice(0, limits.maxRows) : body.data;
  return { columns: body.meta.map((m) => ({ name: m.name, type: m.type })), rows, rowCount: rows.length, truncated, elapsedMs: Date.now() - started };
}

/**
 * The console's own connection, apart from the one the product's queries share, and one query at a time
 * on it. Embedded, chdb hands the partial output of a query that failed (a timeout, too many rows) to the
 * next query on the same connection, so after a failure the connection is drained with a throwaway query
 * before anyone uses it again; an analyst's runaway query never reaches another request's result.
 */
export class SqlConsole {
  private connection: ReturnType<typeof createOlapClient> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly connect: OlapConnectionOptions,
    private readonly db: string,
  ) {}

  private get client(): ClickHouseClient {
    this.connection ??= createOlapClient(this.connect);
    return this.connection.client;
  }

  /** Checks and runs one query under the limits; throws SqlRefused for what it will not run. */
  run(query: string, limits: SqlLimits): Promise<SqlResult> {
    const next = this.queue.then(async () => {
      try {
        return await runQuery(this.client, this.db, query, limits);
      } catch (err) {
        await this.client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((rs) => rs.text()).catch(() => {});
        throw err;
      }
    });
    this.queue = next.catch(() => {});
    return next;
  }

  /** The safe views and their columns, for the console's sidebar and docs. */
  views(): Promise<{ name: string; columns: { name: string; type: string }[] }[]> {
    const safe = safeDatabase(this.db);
    const next = this.queue.then(async () => {
      const rs = await this.client.query({
        query: 'SELECT table, name, type FROM system.columns WHERE database = {db:String} ORDER BY table, position',
        query_params: { db: safe },
        format: 'JSONEachRow',
      });
      const cols = await rs.json<{ table: string; name: string; type: string }>();
      return SAFE_VIEWS.map((v) => ({ name: `${safe}.${v}`, columns: cols.filter((r) => r.table === v).map((r) => ({ name: r.name, type: r.type })) }));
    });
    this.queue = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.connection?.client.close();
    this.connection = null;
  }
}
