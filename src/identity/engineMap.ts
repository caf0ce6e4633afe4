import type { OlapStore } from '../store/olap/index.ts';

/**
 * The embedded engine's in-memory copy of the identity map, keyed by hash: a `Join` table (`identity_join`)
 * with one row per id — `cityHash64(distinct_id)` → `cityHash64(person_id)`, or 0 when the id is its own
 * person. Segment rules over everyone hold people as those hashes, and the rows they read carry their
 * device's hash (`distinct_hash`, migration 014), so a device becomes its person by one integer lookup
 * (`joinGet`) per row. Without it, every such rule read `person_ids` with FINAL (about 13 ms on the
 * 10M-event world) and every condition keyed by device built its own hash table of it and hashed the id
 * text of each row (about 15 ms and 8 ms again): most of a preview's time.
 *
 * Kept current by a materialized view as `person_ids` is written: the latest insert of an id wins, as the
 * latest version does, because the identity graph writes its versions in order (src/identity/graph.ts).
 * Held in memory only (`persistent = 0`) and refilled from `person_ids` every time the store is opened, so
 * whatever a crash left half-written is redone from the mirror, and an id erased there is gone here at the
 * next start even if nothing else removed it; erasure deletes from it too (src/privacy/erasables/olap.ts
 * finds the hashed columns in the schema).
 *
 * Embedded engine only: there one process owns the data, so the refill at open races nobody. A ClickHouse
 * server runs a query's conditions side by side and may serve several processes; it keeps reading
 * `person_ids` (src/segments/compile/leaves.ts).
 */
export const IDENTITY_JOIN = 'identity_join';

/** Creates and fills the in-memory identity map; returns its qualified name, or undefined where it is not used. */
export async function prepareIdentityJoin(olap: OlapStore): Promise<string | undefined> {
  if (olap.kind !== 'chdb' || olap.cluster) return undefined;
  const t = `${olap.db}.${IDENTITY_JOIN}`;
  await olap.command(
    `CREATE TABLE IF NOT EXISTS ${t} (distinct_hash UInt64, person_hash UInt64)
     ENGINE = Join(ANY, LEFT, distinct_hash) SETTINGS join_any_take_last_row = 1, persistent = 0`,
  );
  await olap.command(`CREATE MATERIALIZED VIEW IF NOT EXISTS ${t}_mv TO ${t} AS SELECT ${hashes} FROM ${olap.db}.person_ids`);
  await olap.command(`TRUNCATE TABLE ${t}`);
  await olap.command(`INSERT INTO ${t} SELECT ${hashes} FROM ${olap.db}.person_ids FINAL`);
  return t;
}

/** a row of the map from a row of person_ids (as the FINAL read of person_ids reads it) */
const hashes = `cityHash64(distinct_id) AS distinct_hash, if(person_id = distinct_id OR person_id = '', 0, cityHash64(person_id)) AS person_hash`;

/** SQL for the hash of the person of the device whose hash is `expr` (a column), through the map `table`. */
export function personHashThroughJoin(table: string, expr: string): string {
  return `if((joinGet('${table}', 'person_hash', ${expr}) AS joined_person) != 0, joined_person, ${expr})`;
}
