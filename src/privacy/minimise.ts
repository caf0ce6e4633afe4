import type { EventRow } from '../events/index.ts';
import type { OlapStore } from '../store/olap/index.ts';

/**
 * Data minimisation per consented purpose. What an event keeps depends on what the person consented to:
 * the order and loyalty record is kept for everyone (the contract needs it: what was bought, for how
 * much, with which coupon), while free text and behavioural detail serve `analytics` only. A person whose
 * latest consent withdraws `analytics` therefore has, from then on, every event stored without those
 * extras (docs/privacy.md, "Data minimisation").
 */

/** Event properties the order and loyalty record needs: kept whatever the consent. */
export const RECORD_PROPERTIES: readonly string[] = [
  'order_id', 'checkout_id', 'cart_id', 'revenue', 'total', 'subtotal', 'discount', 'shipping', 'tax', 'coupon', 'currency',
  'products', 'product_id', 'sku', 'price', 'quantity', 'category', 'brand', 'points',
];
/** Fields of each product in `products` that the record needs. */
export const RECORD_PRODUCT_FIELDS: readonly string[] = ['product_id', 'sku', 'price', 'quantity', 'category', 'brand', 'coupon'];
/**
 * Context the record and message delivery need: the time zone decides quiet hours, the library names a
 * consent change's source, and `consent` (what an SDK says was consented to when the event left) is the
 * record of the basis it was sent on.
 */
export const RECORD_CONTEXT: readonly string[] = ['library', 'locale', 'timezone', 'consent'];
/**
 * Typed columns that only analytics reads, cleared when analytics is withdrawn: the search text, the
 * review score, the share recipient, where the person was (page, referrer, campaign), with what (device,
 * OS, user agent), the masked IP and the session.
 */
export const ANALYTICS_COLUMNS = [
  'query', 'rating', 'share_to', 'page_url', 'page_path', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign',
  'device_type', 'os_name', 'user_agent', 'ip_masked', 'session_id',
] as const satisfies readonly (keyof EventRow)[];

/** What each purpose needs of an event beyond the record; withdrawing it removes that part at ingestion. */
export const PURPOSE_NEEDS = {
  analytics: { properties: 'every property not in RECORD_PROPERTIES', context: 'every context field not in RECORD_CONTEXT', columns: ANALYTICS_COLUMNS },
} as const;

const pick = (o: Record<string, unknown>, keys: readonly string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k)));

/**
 * The row reduced to what the record needs, in place (the writer counts stored rows by identity). Traits
 * are kept: they are the profile itself, and consent lives there.
 */
export function minimiseRow(row: EventRow): EventRow {
  if (row.properties && row.properties !== '{}') {
    const props = pick(JSON.parse(row.properties) as Record<string, unknown>, RECORD_PROPERTIES);
    if (Array.isArray(props.products)) props.products = props.products.map((p) => (p && typeof p === 'object' ? pick(p as Record<string, unknown>, RECORD_PRODUCT_FIELDS) : p));
    row.properties = JSON.stringify(props);
  }
  if (row.context && row.context !== '{}') row.context = JSON.stringify(pick(JSON.parse(row.context) as Record<string, unknown>, RECORD_CONTEXT));
  for (const c of ANALYTICS_COLUMNS) (row as unknown as Record<string, unknown>)[c] = c === 'rating' ? null : '';
  return row;
}

/** The write key id of rows a bulk importer sends through the pipeline (src/world/importers/segmentJsonl.ts). */
const IMPORTED = 'import';

/** How long the loaded consent may be believed before ClickHouse is asked again (other nodes ingest too). */
const RELOAD_MS = 5_000;

/** The `consent.analytics` an identify row's traits carry, if any. */
export function analyticsConsentOf(row: EventRow): boolean | null {
  if (row.type !== 'identify' || !row.traits.includes('"analytics"')) return null;
  try {
    const c = (JSON.parse(row.traits) as { consent?: { analytics?: unknown } }).consent?.analytics;
    return typeof c === 'boolean' ? c : null;
  } catch {
    return null;
  }
}

/**
 * Applies minimisation before every insert (`BatchingWriter.keep`, after the tombstones): the ids of
 * people whose latest consent withdraws analytics are held in memory and reloaded every few seconds, and
 * a consent change arriving in a flush applies to the rows after it at once. A flush with no such person
 * costs one set lookup per row.
 */
export class ConsentMinimiser {
  private withdrawn: Set<string> | null = null;
  private loadedAt = 0;
  private loading: Promise<Set<string>> | null = null;
  /** changes seen in flushes since the last load began: id → analytics consent */
  private recent = new Map<string, { given: boolean; at: number }>();

  constructor(private readonly olap: OlapStore) {}

  /** Every id (device and account) of each person whose latest consent withdraws analytics. */
  async load(): Promise<Set<string>> {
    const db = this.olap.db;
    const rows = await this.olap.query<{ id: string }>(
      `WITH consented AS (
         SELECT distinct_id, timestamp, message_id, JSONExtractRaw(traits, 'consent', 'analytics') AS a
         FROM ${db}.events WHERE type = 'identify' AND position(traits, '"analytics"') > 0 AND JSONHas(traits, 'consent', 'analytics')),
       persons AS (
         SELECT distinct_id, argMax(person_id, version) AS person_id FROM ${db}.person_ids
         WHERE distinct_id IN (SELECT distinct_id FROM consented) GROUP BY distinct_id),
       withdrawn AS (
         SELECT if(p.person_id != '', p.person_id, c.distinct_id) AS person, argMax(c.a, (c.timestamp, c.message_id)) AS latest
         FROM consented AS c LEFT JOIN persons AS p ON p.distinct_id = c.distinct_id
         GROUP BY person HAVING latest = 'false')
       SELECT person AS id FROM withdrawn
       UNION DISTINCT
       SELECT distinct_id AS id FROM ${db}.person_ids WHERE person_id IN (SELECT person FROM withdrawn)`,
    );
    return new Set(rows.map((r) => r.id));
  }

  private async current(): Promise<Set<string>> {
    if (this.withdrawn && Date.now() - this.loadedAt < RELOAD_MS) return this.withdrawn;
    const started = Date.now();
    const reload = !this.loading;
    this.loading ??= this.load().then((set) => {
      this.withdrawn = set;
      this.loadedAt = started;
      // changes older than the load are in it; later ones still apply on top
      for (const [id, c] of this.recent) if (c.at < started - RELOAD_MS) this.recent.delete(id);
      return set;
    }).finally(() => (this.loading = null));
    // after the first load a flush never waits for the next: it uses the set it has (a change this node
    // saw is in `recent` meanwhile), and the reload lands for a later flush
    if (this.withdrawn) {
      if (reload) this.loading.catch(() => {});
      return this.withdrawn;
    }
    return this.loading;
  }

  private isWithdrawn(set: Set<string>, id: string): boolean {
    if (!id) return false;
    const r = this.recent.get(id);
    return r ? !r.given : set.has(id);
  }

  /** The rows, those of people without analytics consent minimised in place. */
  async apply(rows: EventRow[]): Promise<EventRow[]> {
    if (rows.length === 0) return rows;
    const set = await this.current();
    if (set.size === 0 && this.recent.size === 0 && !rows.some((r) => r.type === 'identify')) return rows;
    const now = Date.now();
    for (const r of rows) {
      const given = analyticsConsentOf(r);
      if (given !== null) for (const id of [r.anonymous_id, r.user_id]) if (id) this.recent.set(id, { given, at: now });
      // imported history is stored as sent, whichever path a line took (the engine's bulk path cannot ask)
      if (r.write_key_id === IMPORTED) continue;
      if (this.isWithdrawn(set, r.anonymous_id) || this.isWithdrawn(set, r.user_id)) minimiseRow(r);
    }
    return rows;
  }
}
