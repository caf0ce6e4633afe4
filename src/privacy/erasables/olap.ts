import type { OlapStore, QueryParams } from '../../store/olap/index.ts';
import type { Erasable, ErasureSubject } from '../erasure.ts';

// tables already checked for patch-part deletes, per store: true when they take them
const patchable = new WeakMap<OlapStore, Map<string, Promise<boolean>>>();

/**
 * Whether `DELETE` on the table can write a patch part (a lightweight update: a few rows, like an insert,
 * applied by every read and merged in later) instead of a mutation of every part, which costs about
 * 0.1 s per part of a wide table (measured: 20-part events table of the 1M world, 2.5–3.7 s against
 * 70–80 ms). Patch parts need the table's block number and offset columns; the first erasure turns them on
 * (a table setting, effective for new parts and harmless for old ones). A server that refuses the setting,
 * or an engine without lightweight updates (AggregatingMergeTree), gets the classic lightweight delete.
 */
function usesPatchParts(olap: OlapStore, table: string): Promise<boolean> {
  let byTable = patchable.get(olap);
  if (!byTable) patchable.set(olap, (byTable = new Map()));
  let known = byTable.get(table);
  if (!known) {
    known = (async () => {
      const local = olap.cluster ? `${table}_local` : table;
      const [t] = await olap.query<{ engine: string }>(
        `SELECT engine_full AS engine FROM system.tables WHERE database = {db:String} AND name = {t:String}`,
        { db: olap.db, t: local },
      );
      if (/enable_block_number_column = 1/.test(t?.engine ?? '') && /enable_block_offset_column = 1/.test(t?.engine ?? '')) return true;
      try {
        await olap.command(`ALTER TABLE ${olap.mutationTarget(table)} MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1`);
        return true;
      } catch {
        return false;
      }
    })();
    byTable.set(table, known);
  }
  return known;
}

/**
 * `DELETE FROM … WHERE`: the rows vanish from every query at once, and their bytes leave the disk when
 * ClickHouse next merges the affected parts (docs/privacy.md). Written as a patch part where the table
 * allows it (see `usesPatchParts`). In cluster mode the statement runs on each shard's local table.
 */
export async function olapDelete(olap: OlapStore, table: string, where: string, params: QueryParams): Promise<void> {
  const target = olap.mutationTarget(table);
  const patch = (await usesPatchParts(olap, table)) ? ` SETTINGS lightweight_delete_mode = 'lightweight_update'` : '';
  await olap.command(`DELETE FROM ${target} WHERE ${where}${patch}`, params);
}

async function countWhere(olap: OlapStore, table: string, where: string, params: QueryParams): Promise<number> {
  const [r] = await olap.query<{ n: string | number }>(`SELECT count() AS n FROM ${olap.db}.${table} WHERE ${where}`, params);
  return Number(r?.n ?? 0);
}

/** A ClickHouse table whose rows about a person are found by one condition over `{ids:Array(String)}`. */
function olapTable(olap: OlapStore, o: { table: string; description: string; where: string; order?: string; inMemory?: boolean }): Erasable {
  const p = (s: ErasureSubject) => ({ ids: s.ids });
  return {
    name: `olap.${o.table}`,
    description: o.description,
    count: (s) => countWhere(olap, o.table, o.where, p(s)),
    // a `Join` table (held in memory) takes no DELETE statement, only the mutation, which it applies at once
    erase: (s) => (o.inMemory ? olap.command(`ALTER TABLE ${olap.db}.${o.table} DELETE WHERE ${o.where}`, p(s)) : olapDelete(olap, o.table, o.where, p(s))),
    export: (s) => olap.query(`SELECT * FROM ${olap.db}.${o.table} WHERE ${o.where}${o.order ? ` ORDER BY ${o.order}` : ''}`, p(s)),
  };
}

/**
 * Events: sent from any of the person's ids (the sorting key, a range read per id), and those another
 * device sent under the person's userId (the user_id bloom filter finds them). Counted separately, so
 * each condition keeps its index; deleted in one statement.
 */
export function eventsErasable(olap: OlapStore): Erasable {
  const other = `user_id IN {ids:Array(String)} AND distinct_id NOT IN {ids:Array(String)}`;
  const own = `distinct_id IN {ids:Array(String)}`;
  const counts = async (ids: string[]) => {
    const [r] = await olap.query<{ a: string; b: string }>(
      `SELECT (SELECT count() FROM ${olap.db}.events WHERE ${own}) AS a, (SELECT count() FROM ${olap.db}.events WHERE ${other}) AS b`,
      { ids },
    );
    return { own: Number(r!.a), other: Number(r!.b) };
  };
  return {
    name: 'olap.events',
    description: 'behaviour events sent from any of the person\'s ids or carrying their userId (traits, encrypted PII, properties, context)',
    async count(s) {
      const c = await counts(s.ids);
      return c.own + c.other;
    },
    async erase(s) {
      const c = await counts(s.ids);
      if (c.own + c.other === 0) return;
      await olapDelete(olap, 'events', c.other > 0 ? `${own} OR user_id IN {ids:Array(String)}` : own, { ids: s.ids });
    },
    export: (s) => olap.query(`SELECT * FROM ${olap.db}.events WHERE ${own} OR (${other}) ORDER BY timestamp, message_id`, { ids: s.ids }),
  };
}

/**
 * Dead letters keep the raw message a client sent; the person's are those whose payload names one of
 * their ids as a JSON string (`"u_42"`, so `u_4` never matches `u_42`).
 */
export function deadLettersErasable(olap: OlapStore): Erasable {
  // multiSearchAny takes at most 255 needles; a person with more ids is searched in slices
  const slices = (ids: string[]) => Array.from({ length: Math.ceil(ids.length / 200) }, (_, i) => ids.slice(i * 200, i * 200 + 200).map((id) => JSON.stringify(id)));
  const where = `multiSearchAny(payload, {needles:Array(String)})`;
  return {
    name: 'olap.dead_letters',
    description: 'rejected messages kept with their payload for 90 days',
    async count(s) {
      let n = 0;
      for (const needles of slices(s.ids)) n += await countWhere(olap, 'dead_letters', where, { needles });
      return n;
    },
    async erase(s) {
      for (const needles of slices(s.ids)) await olapDelete(olap, 'dead_letters', where, { needles });
    },
    async export(s) {
      const out: unknown[] = [];
      for (const needles of slices(s.ids)) out.push(...(await olap.query(`SELECT * FROM ${olap.db}.dead_letters WHERE ${where} ORDER BY received_at`, { needles })));
      return out;
    },
  };
}

/**
 * Every other table of the database that names people: those with `distinct_id`/`user_id` columns (the
 * copies materialized views keep of events: first touches, orders, reviews, activity slots …) and those
 * with a `person_id` column, or an id's hash (`distinct_hash`, `person_hash`), including the identity map the
 * embedded engine holds in memory (a `Join` table). Found from the schema when the runtime opens, so a table a module adds is
 * erased without anyone remembering to register it; a module that registers its own erasable under the
 * same name (`olap.<table>`) replaces the found one.
 */
export async function discoverOlapErasables(olap: OlapStore, known: ReadonlySet<string>): Promise<Erasable[]> {
  const cols = await olap.query<{ table: string; engine: string; names: string[] }>(
    `SELECT c.table AS table, any(t.engine) AS engine, groupArray(c.name) AS names
     FROM system.columns AS c INNER JOIN system.tables AS t ON t.database = c.database AND t.name = c.table
     WHERE c.database = {db:String} AND (t.engine LIKE '%MergeTree%' OR t.engine = 'Join') AND c.name IN ('distinct_id', 'user_id', 'person_id', 'distinct_hash', 'person_hash')
     GROUP BY c.table ORDER BY c.table`,
    { db: olap.db },
  );
  const out: Erasable[] = [];
  for (const { table, engine, names } of cols) {
    // in cluster mode the MergeTree tables are the shards' `<name>_local`; erasure addresses them by name
    const name = olap.cluster && table.endsWith('_local') ? table.slice(0, -'_local'.length) : table;
    if (known.has(`olap.${name}`) || name === 'schema_migrations') continue;
    // an id may be held as its 64-bit hash (cityHash64), the form segment sets and the in-memory identity map use
    const where = names.map((n) => (n.endsWith('_hash') ? `${n} IN (SELECT cityHash64(arrayJoin({ids:Array(String)})))` : `${n} IN {ids:Array(String)}`)).join(' OR ');
    const inMemory = engine === 'Join';
    const held = inMemory ? 'held in memory, ' : '';
    out.push(olapTable(olap, { table: name, description: `rows naming the person by ${names.join(', ')} (${held}found in the schema)`, where, inMemory }));
  }
  return out;
}

/** Every ClickHouse table that holds rows about a person, in the order erasure runs them. */
export function olapErasables(olap: OlapStore): Erasable[] {
  return [
    eventsErasable(olap),
    olapTable(olap, { table: 'person_ids', description: 'the identity map mirrored from Postgres', where: `distinct_id IN {ids:Array(String)} OR person_id IN {ids:Array(String)}`, order: 'distinct_id, version' }),
    olapTable(olap, { table: 'tag_values', description: 'current tag values, including model outputs (cluster_id and other model tags)', where: `person_id IN {ids:Array(String)}`, order: 'tag_code, version' }),
    olapTable(olap, { table: 'tag_snapshots', description: 'dated copies of every full build\'s tag values', where: `person_id IN {ids:Array(String)}`, order: 'snapshot_date, tag_code' }),
    olapTable(olap, { table: 'segment_members', description: 'segment membership (dynamic and static segments)', where: `person_id IN {ids:Array(String)}`, order: 'segment_id, version' }),
    olapTable(olap, { table: 'segment_changes', description: 'segment entries and exits', where: `person_id IN {ids:Array(String)}`, order: 'at, segment_id' }),
    olapTable(olap, { table: 'campaign_assignments', description: 'campaign holdout and variant assignments', where: `person_id IN {ids:Array(String)} OR user_id IN {ids:Array(String)}`, order: 'campaign_id, run_id' }),
    deadLettersErasable(olap),
  ];
}
