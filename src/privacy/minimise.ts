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
/**
 * How often a reload reads every stored consent again instead of what arrived since the last: the safety
 * net for what the incremental reads cannot see (history imported with its own, older receive time; an
 * identity change committed long after its version was drawn).
 */
const FULL_RELOAD_MS = 10 * 60_000;
/**
 * How far before the last load began an incremental reload reads again: rows received before it but
 * stored after (another node's writer queue and retries), and clocks of nodes that differ a little.
 * Reading a row twice changes nothing, as each person touched is decided again from all their consent.
 */
const OVERLAP_MS = 60_000;

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
 * people whose latest consent withdraws analytics are held in memory and brought up to date every few
 * seconds (reading only the consent and identity changes stored since, by any node; everything again every
 * ten minutes), and a consent change arriving in a flush applies to the rows after it at once. A flush with
 * no such person costs one set lookup per row.
 */
export class ConsentMinimiser {
  private withdrawn: Set<string> | null = null;
  /** when the last load began, and the last full one */
  private loadedAt = 0;
  private fullAt = 0;
  /** each load since the last full one: when it began and the identity map's highest version then */
  private marks: { at: number; version: number }[] = [];
  private loading: Promise<Set<string>> | null = null;
  /** how many loads of each kind have run */
  readonly loads = { full: 0, incremental: 0 };
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

  /**
   * The ids whose consent may have changed since a moment: those with a consent received from then on
   * (the receive time, set where the message arrived, whichever node stored it), and those whose person
   * changed in the identity map after a version of it (a merge can bring a withdrawal to a person).
   */
  private async touchedSince(receivedFrom: number, version: number): Promise<string[]> {
    const db = this.olap.db;
    const rows = await this.olap.query<{ id: string }>(
      `SELECT distinct_id AS id FROM ${db}.events
       PREWHERE received_at >= fromUnixTimestamp64Milli({from:Int64})
       WHERE type = 'identify' AND position(traits, '"analytics"') > 0 AND JSONHas(traits, 'consent', 'analytics')
       UNION DISTINCT
       SELECT distinct_id AS id FROM ${db}.person_ids WHERE version > {version:UInt64}`,
      { from: receivedFrom, version },
    );
    return rows.map((r) => r.id);
  }

  /**
   * Each person the ids belong or belonged to, decided again as the full load decides (the latest
   * consent over every id the person has now): every id of theirs, with whether it is withdrawn.
   */
  private async decide(ids: string[]): Promise<{ id: string; withdrawn: boolean }[]> {
    const db = this.olap.db;
    // the touched persons' ids and the person each belongs to now (an id never linked is its own person)
    const members = await this.olap.query<{ id: string; person: string }>(
      `WITH
       touched AS (
         SELECT person_id AS person FROM ${db}.person_ids WHERE distinct_id IN {ids:Array(String)}
         UNION DISTINCT SELECT arrayJoin({ids:Array(String)}) AS person),
       candidates AS (
         SELECT person AS id FROM touched
         UNION DISTINCT SELECT distinct_id AS id FROM ${db}.person_ids WHERE person_id IN (SELECT person FROM touched))
       SELECT c.id AS id, if(p.person_id != '', p.person_id, c.id) AS person
       FROM candidates AS c
       LEFT JOIN (SELECT distinct_id, argMax(person_id, version) AS person_id FROM ${db}.person_ids
                  WHERE distinct_id IN (SELECT id FROM candidates) GROUP BY distinct_id) AS p ON p.distinct_id = c.id
       WHERE person IN (SELECT person FROM touched)`,
      { ids },
    );
    if (members.length === 0) return [];
    // their latest consent per person: a primary-key read of just those ids' events
    const latest = await this.olap.query<{ person: string; a: string }>(
      `SELECT transform(distinct_id, {ids:Array(String)}, {persons:Array(String)}, distinct_id) AS person,
              argMax(JSONExtractRaw(traits, 'consent', 'analytics'), (timestamp, message_id)) AS a
       FROM ${db}.events
       WHERE distinct_id IN {ids:Array(String)} AND type = 'identify' AND position(traits, '"analytics"') > 0 AND JSONHas(traits, 'consent', 'analytics')
       GROUP BY person`,
      { ids: members.map((m) => m.id), persons: members.map((m) => m.person) },
    );
    const withdrawn = new Set(latest.filter((l) => l.a === 'false').map((l) => l.person));
    return members.map((m) => ({ id: m.id, withdrawn: withdrawn.has(m.person) }));
  }

  /** The identity map's highest version (versions come from one Postgres sequence, shared by every node). */
  private async version(): Promise<number> {
    const [r] = await this.olap.query<{ v: string | number }>(`SELECT max(version) AS v FROM ${this.olap.db}.person_ids`);
    return Number(r?.v ?? 0);
  }

  /**
   * Brings the set up to date: the first time, and every FULL_RELOAD_MS, by reading every stored consent;
   * otherwise by reading only what arrived since shortly before the last load and deciding again each
   * person it touches (latest consent per person wins, over the ids the identity map gives them now).
   * Waits for a reload already under way, then runs one that begins now.
   */
  async refresh(): Promise<Set<string>> {
    await this.loading?.catch(() => {});
    return (this.loading ??= this.reload().finally(() => (this.loading = null)));
  }

  private async reload(): Promise<Set<string>> {
    const started = Date.now();
    const version = await this.version();
    if (!this.withdrawn || started - this.fullAt >= FULL_RELOAD_MS) {
      this.withdrawn = await this.load();
      this.fullAt = started;
      this.marks = [];
      this.loads.full++;
    } else {
      const from = this.loadedAt - OVERLAP_MS;
      // the identity version of the newest load that began before `from` (or of the full load)
      const mark = this.marks.findLast((m) => m.at <= from) ?? this.marks[0]!;
      const ids = await this.touchedSince(from, mark.version);
      if (ids.length > 0) for (const r of await this.decide(ids)) r.withdrawn ? this.withdrawn.add(r.id) : this.withdrawn.delete(r.id);
      this.marks = this.marks.filter((m) => m.at >= mark.at);
      this.loads.incremental++;
    }
    this.marks.push({ at: started, version });
    this.loadedAt = started;
    // changes older than the load are in it; later ones still apply on top
    for (const [id, c] of this.recent) if (c.at < started - RELOAD_MS) this.recent.delete(id);
    return this.withdrawn;
  }

  private async current(): Promise<Set<string>> {
    if (this.withdrawn && Date.now() - this.loadedAt < RELOAD_MS) return this.withdrawn;
    const reload = !this.loading;
    this.loading ??= this.reload().finally(() => (this.loading = null));
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
