import { randomBytes } from 'node:crypto';
import type { OlapStore, QueryParams } from './index.ts';

/**
 * Long id lists handed to statements through a table instead of as literal arrays.
 *
 * A parameter such as `{ids:Array(String)}` is substituted into the statement as a literal, and ClickHouse
 * analyses the literal wherever the statement names it: a live tag refresh names its ids four times, and
 * 10,000 ids cost about 150 ms of analysis per copy — more than reading their events. Inside
 * {@link IdSets.use}, every `IN {name:Array(String)}` of a statement becomes `IN (SELECT id FROM id_sets
 * WHERE set_id = …)`: the same set, built once from rows inserted for the call and deleted after it.
 *
 * `id_sets` is a Memory table (nothing on disk; an embedded engine loses it with the process). On a
 * cluster a subquery over it would run on each shard, where the table is empty, so there statements keep
 * their literals; so do lists shorter than {@link IdSets.MIN_IDS}, where the saving (about 0.2 s at
 * 10,000 ids, 0.06 s at 1,000) does not pay for two more statements, each waiting its turn at a busy engine.
 */
export class IdSets {
  /** fewer ids than this go as literals */
  static readonly MIN_IDS = 2_000;
  private ready: Promise<void> | null = null;

  constructor(private readonly olap: OlapStore) {}

  /** Runs `run` with a binder that rewrites statements to read the given lists from the table. */
  async use<T>(sets: Record<string, readonly string[]>, run: (bind: Binder) => Promise<T>): Promise<T> {
    const big = this.olap.cluster ? [] : Object.entries(sets).filter(([, ids]) => ids.length >= IdSets.MIN_IDS);
    if (big.length === 0) return run(literal);
    await (this.ready ??= this.olap.command(`CREATE TABLE IF NOT EXISTS ${this.olap.db}.id_sets (set_id UInt64, id String) ENGINE = Memory`).catch((err) => {
      this.ready = null;
      throw err;
    }));
    const ids = new Map(big.map(([name]) => [name, randomBytes(8).readBigUInt64BE() >> 1n]));
    try {
      await this.olap.insert('id_sets', big.flatMap(([name, list]) => { const set = String(ids.get(name)); return [...new Set(list)].map((id) => ({ set_id: set, id })); }));
      return await run((sql, params) => {
        let text = sql;
        const rest: QueryParams = { ...params };
        for (const [name, set] of ids) {
          text = text.replaceAll(`IN {${name}:Array(String)}`, `IN (SELECT id FROM ${this.olap.db}.id_sets WHERE set_id = ${set})`);
          if (!text.includes(`{${name}:`)) delete rest[name];
        }
        return { sql: text, params: rest };
      });
    } finally {
      await this.olap.command(`ALTER TABLE ${this.olap.db}.id_sets DELETE WHERE set_id IN (${[...ids.values()].join(', ')})`);
    }
  }
}

/** A statement and its parameters, rewritten to read long id lists from `id_sets`. */
export type Binder = (sql: string, params: QueryParams) => { sql: string; params: QueryParams };

const literal: Binder = (sql, params) => ({ sql, params });
