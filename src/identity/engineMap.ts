import type { OlapStore } from '../store/olap/index.ts';

/**
 * The embedded engine's in-memory copy of the identity map: a `Join` table (`identity_join`, one row per id:
 * the person it belongs to, or '' when it is its own person) that a query resolves a device through with
 * `joinGet`, a hash lookup per row. Without it, every segment rule over everyone read `person_ids` with
 * FINAL (about 13 ms on the 10M-event world) and every condition keyed by device built its own hash table
 * of it (about 15 ms each again): most of a preview's time.
 *
 * Kept current by a materialized view as `person_ids` is written: the latest insert of an id wins, as the
 * latest version does, because the identity graph writes its versions in order (src/identity/graph.ts).
 * Held in memory only (`persistent = 0`) and refilled from `person_ids` every time the store is opened, so
 * whatever a crash left half-written is redone from the mirror, and an id erased there is gone here at the
 * next start even if nothing else removed it; erasure deletes from it as well (it names people, so the
 * privacy module finds it in the schema).
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
    `CREATE TABLE IF NOT EXISTS ${t} (distinct_id String, person_id String)
     ENGINE = Join(ANY, LEFT, distinct_id) SETTINGS join_any_take_last_row = 1, persistent = 0`,
  );
  await olap.command(
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${t}_mv TO ${t} AS
     SELECT distinct_id, ${ownPerson} AS person_id FROM ${olap.db}.person_ids`,
  );
  await olap.command(`TRUNCATE TABLE ${t}`);
  await olap.command(`INSERT INTO ${t} SELECT distinct_id, ${ownPerson} AS person_id FROM ${olap.db}.person_ids FINAL`);
  return t;
}

/** what the map holds for an id: its person, or '' when it stands for itself (as the FINAL read of person_ids reads it) */
const ownPerson = `if(person_id = distinct_id, '', person_id)`;

/** SQL for the person of the device id `expr`, through the map `table` (from prepareIdentityJoin). */
export function personThroughJoin(table: string, expr: string): string {
  return `if((joinGet('${table}', 'person_id', ${expr}) AS joined_person) != '', joined_person, ${expr})`;
}
