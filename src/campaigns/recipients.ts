import { openPii } from '../privacy/traits.ts';
import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import { CHANNELS, type ChannelName, type Locale, type Recipient } from './types.ts';

export interface RecipientDeps {
  olap: OlapStore;
  oltp: OltpStore;
  decrypt(token: string): string;
  /** the keyed pseudonym the erasure tombstones keep for an id (privacy/persons.ts) */
  pseudonym(id: string): string;
  /** the shop's time zone: the default for people without a `timezone` trait */
  timezone: string;
}

/**
 * The ids among `ids` that belong to an erased person: their pseudonyms in the tombstones (`erased_ids`),
 * read from Postgres each time, so an erasure a moment ago on any node counts at once.
 */
export async function erasedOf(d: Pick<RecipientDeps, 'oltp' | 'pseudonym'>, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const byPseudonym = new Map(ids.map((id) => [d.pseudonym(id), id]));
  const rows = await d.oltp.query<{ pseudonym: string }>('SELECT pseudonym FROM erased_ids WHERE pseudonym = ANY($1::text[])', [[...byPseudonym.keys()]]);
  return new Set(rows.map((r) => byPseudonym.get(r.pseudonym)!));
}

const validZones = new Map<string, boolean>();
function isZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz === '') return false;
  let ok = validZones.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    validZones.set(tz, ok);
  }
  return ok;
}

const localeOf = (v: unknown): Locale | null => (typeof v === 'string' && v !== '' ? (v.toLowerCase().startsWith('en') ? 'en' : v.toLowerCase().startsWith('zh') ? 'zh-CN' : null) : null);
const str = (v: unknown) => (typeof v === 'string' && v !== '' && v !== '[unavailable]' ? v : undefined);

/**
 * What the delivery pipeline knows of each person at send time, loaded for a batch at once:
 * - every id of the person (Postgres identity map), and their identify events in time order (ClickHouse):
 *   the traits with later values winning, the encrypted `pii` fields opened with the keyring (email, phone);
 * - consent from the latest `consent.marketing` trait (null when never given), locale (`locale` trait, else
 *   the identify's context locale), time zone (`timezone` trait, else the context's, else the shop's);
 * - the person's tag values, and the hours of the `preferred_hours` tag;
 * - channel unsubscriptions (`channel_subscriptions`) and erasure (the privacy tombstones).
 * A person with no identify at all still gets a Recipient (no address, consent null).
 */
export async function loadRecipients(d: RecipientDeps, personIds: readonly string[]): Promise<Map<string, Recipient>> {
  const persons = [...new Set(personIds)];
  const out = new Map<string, Recipient>();
  if (persons.length === 0) return out;
  const links = await d.oltp.query<{ distinct_id: string; person_id: string }>(
    'SELECT distinct_id, person_id FROM identities WHERE person_id = ANY($1::text[])', [persons],
  );
  const personOf = new Map<string, string>(persons.map((p) => [p, p]));
  for (const l of links) personOf.set(l.distinct_id, l.person_id);
  const ids = [...personOf.keys()];
  const [identifies, tagRows, subs, erased] = await Promise.all([
    d.olap.query<{ distinct_id: string; traits: string; pii: string; locale: string; timezone: string }>(
      `SELECT distinct_id, traits, pii, locale, timezone FROM ${d.olap.db}.events
       WHERE distinct_id IN {ids:Array(String)} AND type = 'identify' ORDER BY timestamp, message_id`,
      { ids },
    ),
    d.olap.query<{ person_id: string; tag_code: string; value_num: number | null; value_str: string; value_list: string[] }>(
      `SELECT person_id, tag_code, value_num, value_str, value_list FROM ${d.olap.db}.tag_values_by_person FINAL WHERE person_id IN {p:Array(String)}`,
      { p: persons },
    ),
    d.oltp.query<{ person_id: string; channel: string }>(
      'SELECT person_id, channel FROM channel_subscriptions WHERE person_id = ANY($1::text[]) AND NOT subscribed', [persons],
    ),
    erasedOf(d, ids),
  ]);
  for (const p of persons) {
    out.set(p, {
      personId: p, userId: p, locale: 'zh-CN', timezone: d.timezone, marketingConsent: null, unsubscribed: [],
      erased: false, traits: {}, tags: {}, preferredHours: [],
    });
  }
  const contextLocale = new Map<string, string>();
  const contextZone = new Map<string, string>();
  for (const row of identifies) {
    const r = out.get(personOf.get(row.distinct_id)!)!;
    if (row.traits) {
      const t = JSON.parse(row.traits) as Record<string, unknown>;
      Object.assign(r.traits, t);
      const consent = (t.consent as { marketing?: unknown } | undefined)?.marketing;
      if (typeof consent === 'boolean') r.marketingConsent = consent;
    }
    Object.assign(r.traits, openPii(row.pii, d.decrypt));
    if (row.locale) contextLocale.set(r.personId, row.locale);
    if (row.timezone) contextZone.set(r.personId, row.timezone);
  }
  for (const r of out.values()) {
    r.email = str(r.traits.email);
    r.phone = str(r.traits.phone);
    r.pushToken = str(r.traits.pushToken);
    r.locale = localeOf(r.traits.locale) ?? localeOf(contextLocale.get(r.personId)) ?? 'zh-CN';
    const tz = [r.traits.timezone, contextZone.get(r.personId)].find(isZone);
    if (tz) r.timezone = tz;
  }
  for (const t of tagRows) {
    const r = out.get(t.person_id);
    if (!r) continue;
    r.tags[t.tag_code] = t.value_list.length ? t.value_list : t.value_str !== '' ? t.value_str : t.value_num;
    if (t.tag_code === 'preferred_hours') r.preferredHours = t.value_list.map(Number).filter((h) => Number.isInteger(h) && h >= 0 && h < 24);
  }
  for (const s of subs) {
    const r = out.get(s.person_id);
    if (r && (CHANNELS as readonly string[]).includes(s.channel)) r.unsubscribed.push(s.channel as ChannelName);
  }
  for (const id of erased) {
    const r = out.get(personOf.get(id)!);
    if (r) r.erased = true;
  }
  return out;
}
