import type { EventRow } from '../events/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';

/** How long the in-memory copy of the tombstones may be believed before Postgres is asked again (other nodes erase too). */
const RELOAD_MS = 5_000;

/**
 * The ids of erased persons, kept as keyed pseudonyms (table `erased_ids`), so that nothing brings an
 * erased person back: ingestion asks `keep` before every insert, and drops rows any of whose ids
 * (anonymousId, userId, alias previousId) is here. The pseudonyms are held in memory (64 hex characters
 * each: a million erasures is about 100 MB) and reloaded every few seconds, so a flush costs one HMAC per
 * distinct id and no round trip.
 */
export class Tombstones {
  private known: Set<string> | null = null;
  private loadedAt = 0;
  private loading: Promise<Set<string>> | null = null;

  constructor(
    private readonly db: OltpStore,
    private readonly pseudonym: (id: string) => string,
  ) {}

  async add(ids: readonly string[], receiptId: string): Promise<void> {
    for (const id of ids) this.known?.add(this.pseudonym(id));
    await this.db.query(
      `INSERT INTO erased_ids (pseudonym, receipt_id) SELECT p, $2 FROM unnest($1::text[]) AS p ON CONFLICT (pseudonym) DO NOTHING`,
      [ids.map(this.pseudonym), receiptId],
    );
  }

  private async current(): Promise<Set<string>> {
    if (this.known && Date.now() - this.loadedAt < RELOAD_MS) return this.known;
    this.loading ??= this.db.query<{ pseudonym: string }>('SELECT pseudonym FROM erased_ids').then(
      (rows) => {
        const set = new Set(rows.map((r) => r.pseudonym));
        // ids added while the read was under way are in the old set only
        for (const p of this.known ?? []) set.add(p);
        this.known = set;
        this.loadedAt = Date.now();
        return set;
      },
    ).finally(() => (this.loading = null));
    return this.loading;
  }

  /** The given ids that belong to an erased person. */
  async erased(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const known = await this.current();
    if (known.size === 0) return new Set();
    return new Set(ids.filter((id) => known.has(this.pseudonym(id))));
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
