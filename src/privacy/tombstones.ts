import type { EventRow } from '../events/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';

/** How long "nobody has been erased" may be believed before asking Postgres again (other nodes erase too). */
const EMPTY_RECHECK_MS = 5_000;

/**
 * The ids of erased persons, kept as keyed pseudonyms (table `erased_ids`), so that nothing brings an
 * erased person back: ingestion asks `keep` before every insert, and drops rows any of whose ids
 * (anonymousId, userId, alias previousId) is here.
 */
export class Tombstones {
  private emptyUntil = 0;

  constructor(
    private readonly db: OltpStore,
    private readonly pseudonym: (id: string) => string,
  ) {}

  async add(ids: readonly string[], receiptId: string): Promise<void> {
    this.emptyUntil = 0;
    await this.db.query(
      `INSERT INTO erased_ids (pseudonym, receipt_id) SELECT p, $2 FROM unnest($1::text[]) AS p ON CONFLICT (pseudonym) DO NOTHING`,
      [ids.map(this.pseudonym), receiptId],
    );
  }

  /** The given ids that belong to an erased person. */
  async erased(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0 || Date.now() < this.emptyUntil) return new Set();
    const byPseudonym = new Map(ids.map((id) => [this.pseudonym(id), id]));
    const rows = await this.db.query<{ pseudonym: string }>('SELECT pseudonym FROM erased_ids WHERE pseudonym = ANY($1::text[])', [[...byPseudonym.keys()]]);
    if (rows.length === 0) {
      const any = await this.db.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM erased_ids) AS any');
      if (!any[0]?.any) this.emptyUntil = Date.now() + EMPTY_RECHECK_MS;
    }
    return new Set(rows.map((r) => byPseudonym.get(r.pseudonym)!));
  }

  /** The rows to store: those with no id of an erased person. */
  async keep(rows: EventRow[]): Promise<EventRow[]> {
    if (rows.length === 0) return rows;
    const ids = new Set<string>();
    for (const r of rows) for (const id of [r.anonymous_id, r.user_id, r.previous_id]) if (id) ids.add(id);
    const gone = await this.erased([...ids]);
    if (gone.size === 0) return rows;
    return rows.filter((r) => !gone.has(r.anonymous_id) && !gone.has(r.user_id) && !gone.has(r.previous_id));
  }
}
