import { LRUCache } from 'lru-cache';
import { personMap } from '../analytics/sql.ts';
import type { IdentityGraph } from '../identity/index.ts';
import type { OlapStore } from '../store/olap/index.ts';

/**
 * Which person an id (device or account) belongs to, for serving. One resolver goes with each trained
 * model set: the identity map as it stood at training, read once from ClickHouse (`person_ids`, erased ids
 * left out), and for ids it does not hold (anonymous visitors, people newer than the models) the identity
 * graph's answer cached: one read per id rather than one per request. An id is looked up again when its
 * events arrive (an identify may have tied it to someone; see `forget`) and after a minute at most.
 * A new training brings a new resolver, so nothing cached outlives the models it was read for.
 */
export class PersonResolver {
  private readonly resolved = new LRUCache<string, string>({ max: 100_000, ttl: 60_000 });

  constructor(
    private readonly identity: IdentityGraph,
    private readonly trained: ReadonlyMap<string, string>,
    /** trained people no id maps to another: themselves, until their events arrive (`forget`) */
    private readonly selves: Set<string> = new Set(),
  ) {}

  /**
   * The resolver for models trained now: the identity map read from ClickHouse, plus the trained people
   * the map does not hold — ids never linked to another, which training counted as their own person — as
   * themselves (until their events arrive, as for an id resolved on request), so that serving them asks
   * the identity graph nothing either.
   */
  static async read(olap: OlapStore, identity: IdentityGraph, trainedPersons: readonly string[] = []): Promise<PersonResolver> {
    const ids = await olap.query<{ distinct_id: string; person_id: string }>(`SELECT distinct_id, person_id FROM ${personMap(olap.db)}`);
    const map = new Map(ids.map((r) => [r.distinct_id, r.person_id]));
    const selves = new Set<string>();
    for (const p of trainedPersons) if (!map.has(p)) selves.add(p);
    return new PersonResolver(identity, map, selves);
  }

  /** The person `id` belongs to (the id itself when it was never linked). */
  async personOf(id: string): Promise<string> {
    const known = this.trained.get(id) ?? (this.selves.has(id) ? id : this.resolved.get(id));
    if (known !== undefined) return known;
    const person = await this.identity.personOf(id);
    this.resolved.set(id, person);
    return person;
  }

  /** Events of `id` were stored: ask the identity graph again next time. */
  forget(id: string): void {
    this.selves.delete(id);
    this.resolved.delete(id);
  }
}
