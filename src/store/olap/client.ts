import fs from 'node:fs';
import path from 'node:path';
import { createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';

export interface OlapConnectionOptions {
  /** ClickHouse server URL; when absent the embedded engine (chdb) is used */
  url?: string;
  user?: string;
  password?: string;
  /** embedded mode: the engine's data directory (one per process, see ARCHITECTURE.md) */
  path?: string;
}

/** One client API for both adapters: `@clickhouse/client`, over HTTP or over the in-process engine. */
export interface OlapClient {
  client: ClickHouseClient;
  kind: 'chdb' | 'server';
  /** embedded mode: zero-copy insert of an encoded payload (chdb's own multithreaded parser) */
  rawInsert?: (table: string, columns: string[], payload: Buffer) => Promise<void>;
}

export function createOlapClient(opts: OlapConnectionOptions): OlapClient {
  const settings = {
    // JSON output of 64-bit integers as numbers keeps counts readable; values past 2^53 are never counts here
    output_format_json_quote_64bit_integers: 0,
    date_time_output_format: 'iso',
  } as const;
  if (opts.url) {
    return {
      kind: 'server',
      client: createClient({
        url: opts.url,
        username: opts.user ?? 'default',
        password: opts.password ?? '',
        // many API nodes each flushing small batches: the server gathers them into larger parts
        // (async_insert), and an insert answers only once its rows are written (wait_for_async_insert),
        // so an acknowledged event is stored. Only INSERTs with data are affected, not INSERT … SELECT.
        // On a cluster, an insert into a Distributed table answers once the shards hold the rows
        // (insert_distributed_sync), so the next flush's messageId check on any node sees them.
        clickhouse_settings: { ...settings, async_insert: 1, wait_for_async_insert: 1, insert_distributed_sync: 1 },
        request_timeout: 300_000,
      }),
    };
  }
  if (!opts.path) throw new Error('embedded ClickHouse needs a data path');
  fs.mkdirSync(opts.path, { recursive: true });
  const connection = createChdbConnection({ path: path.resolve(opts.path) });
  return {
    kind: 'chdb',
    client: createClient({
      // chdb types its Connection against client-common, which @clickhouse/client now bundles: same shape
      connection: connection as unknown as ClickHouseClientConfigOptions['connection'],
      // files read by the engine (imports) are read, not memory-mapped: a mapped 9 GB file counts 9 GB
      // against the process's memory (measured: a 1 GB file took RSS to 2.2 GB with mmap, 1.3 GB with pread)
      clickhouse_settings: { ...settings, storage_file_read_method: 'pread' } as ClickHouseClientConfigOptions['clickhouse_settings'],
    }),
    async rawInsert(table, columns, payload) {
      await connection.chdb.rawInsert({ table, columns, values: payload, format: 'JSONCompactEachRow' });
    },
  };
}
