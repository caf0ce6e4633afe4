import type { ClickHouseClient } from '@clickhouse/client';
import { createOlapClient, type OlapConnectionOptions } from './client.ts';
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

  private constructor(client: ClickHouseClient, kind: 'chdb' | 'server', opts: OlapOptions) {
    this.client = client;
    this.kind = kind;
    this.db = opts.database;
    this.cluster = opts.cluster;
  }

  /** Connects and applies pending migrations. */
  static async open(opts: OlapOptions): Promise<OlapStore> {
    const { client, kind } = createOlapClient(opts);
    const store = new OlapStore(client, kind, opts);
    await migrateOlap(client, { database: opts.database, cluster: opts.cluster });
    return store;
  }

  async query<T>(sql: string, params: QueryParams = {}): Promise<T[]> {
    const rs = await this.client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
    return rs.json<T>();
  }

  async command(sql: string, params: QueryParams = {}): Promise<void> {
    await this.client.command({ query: sql, query_params: params });
  }

  /** Inserts rows (objects keyed by column name) into `table` of this database, in one insert. */
  async insert(table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    await this.client.insert({ table: `${this.db}.${table}`, values: rows as object[], format: 'JSONEachRow' });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export { plannedStatements, readMigrations } from './migrate.ts';
export { renderMigration } from './ddl.ts';
