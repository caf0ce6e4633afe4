import type { ClickHouseClient } from '@clickhouse/client';
import { createOlapClient, type OlapClient, type OlapConnectionOptions } from './client.ts';
import { IdSets } from './idSets.ts';
import { migrateOlap } from './migrate.ts';

export type QueryParams = Record<string, unknown>;

export interface OlapOptions extends OlapConnectionOptions {
  database: string;
  cluster?: string;
}

/**
 * The analytics store port. Values always travel as typed parameters (`{name:Type}` in the SQL);
 * the only identifier pasted into SQL is the database name, which config restricts to a plain word.
 */
export class OlapStore {
  readonly db: string;
  readonly kind: 'chdb' | 'server';
  readonly cluster?: string;
  readonly client: ClickHouseClient;
  /** long id lists handed to statements through a table (idSets.ts) */
  readonly idSets: IdSets;

  private readonly rawInsert?: OlapClient['rawInsert'];
  /** false for a store opened over another's connection (`over`): closing it leaves the connection open */
  private readonly owner: boolean;

  private constructor({ client, kind, rawInsert }: OlapClient, opts: OlapOptions, owner = true) {
    this.owner = owner;
    this.client = client;
    this.kind = kind;
    this.rawInsert = rawInsert;
    this.db = opts.database;
    this.cluster = opts.cluster;
    this.idSets = new IdSets(this);
  }

  /** Connects and applies pending migrations. */
  static async open(opts: OlapOptions): Promise<OlapStore> {
    const connected = createOlapClient(opts);
    const store = new OlapStore(connected, opts);
    await migrateOlap(connected.client, { database: opts.database, cluster: opts.cluster });
    return store;
  }

  /**
   * A store for another database over this one's connection (a workspace's tables, src/workspaces.ts): one
   * embedded engine per process, one HTTP pool per server. Applies that database's pending migrations.
   */
  static async over(store: OlapStore, database: string): Promise<OlapStore> {
    const sibling = new OlapStore({ client: store.client, kind: store.kind, rawInsert: store.rawInsert }, { database, cluster: store.cluster }, false);
    await migrateOlap(store.client, { database, cluster: store.cluster });
    return sibling;
  }

  /**
   * What a mutation (`DELETE FROM`, `ALTER TABLE`) of `table` names: the table itself, or in cluster mode
   * each shard's local table, on every node (inserts and reads go through the Distributed table instead).
   */
  mutationTarget(table: string): string {
    return this.cluster ? `${this.db}.${table}_local ON CLUSTER '${this.cluster}'` : `${this.db}.${table}`;
  }

  async query<T>(sql: string, params: QueryParams = {}): Promise<T[]> {
    const rs = await this.client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
    return rs.json<T>();
  }

  async command(sql: string, params: QueryParams = {}): Promise<void> {
    await this.client.command({ query: sql, query_params: params });
  }

  /**
   * Inserts rows (objects keyed by column name; a key a row lacks takes the column default) into `table` of this
   * database, in one insert. Embedded, the rows go as one JSONCompactEachRow buffer straight to the
   * engine's parser: column names once instead of per row, and no SQL string around the data.
   */
  async insert(table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.rawInsert) {
      const columns = columnsOf(rows);
      const lines = new Array<string>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i] as Record<string, unknown>;
        lines[i] = JSON.stringify(columns.map((c) => r[c]));
      }
      await this.rawInsert(`${this.db}.${table}`, columns, Buffer.from(lines.join('\n') + '\n'));
      return;
    }
    await this.client.insert({ table: `${this.db}.${table}`, values: rows as object[], format: 'JSONEachRow' });
  }

  async close(): Promise<void> {
    if (this.owner) await this.client.close();
  }
}

/** The union of the rows' keys (the pipeline's rows all share one shape, so this is one pass). */
function columnsOf(rows: readonly object[]): string[] {
  const first = Object.keys(rows[0]!);
  const seen = new Set(first);
  for (const r of rows) {
    const keys = Object.keys(r);
    if (keys.length === first.length && keys.every((k, i) => k === first[i])) continue;
    for (const k of keys) seen.add(k);
  }
  return [...seen];
}

export { plannedStatements, readMigrations } from './migrate.ts';
export { renderMigration } from './ddl.ts';
