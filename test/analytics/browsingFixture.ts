import type { EventRow } from '../../src/events/index.ts';

/**
 * A seeded fixture of browsing sessions for the paths and sessions report tests, and the independent
 * session cutting (plain TypeScript) their expected answers start from: identity merges, session ids
 * that hold long pauses together, 30-minute gaps, repeated steps, pages named only by their path,
 * screens, events outside the range, server-side events under the userId.
 */

export type Row = Pick<EventRow, 'message_id' | 'type' | 'event' | 'distinct_id' | 'anonymous_id' | 'user_id' | 'timestamp' | 'original_timestamp'
  | 'received_at' | 'session_id' | 'page_path' | 'category'>;
export interface PersonId { distinct_id: string; person_id: string; version: number; is_deleted: number }

export const MIN = 60_000;
export const DAY = 86_400_000;
export const FROM = '2024-06-03';
export const TO = '2024-06-17';

/** what a visit is made of: [type, name, path, category] */
export const STEPS: [string, string, string, string][] = [
  ['page', 'Home', '/', ''],
  ['page', '', '/promo/618', ''], // a page without a name: named by its path
  ['screen', 'Cart', '', ''],
  ['page', 'Help', '/help', ''],
  ['track', 'Products Searched', '', ''],
  ['track', 'Product List Viewed', '', '服装/女装'],
  ['track', 'Product Viewed', '', '服装/女装/连衣裙'],
  ['track', 'Product Viewed', '', '美妆/护肤'],
  ['track', 'Product Viewed', '', ''],
  ['track', 'Product Added', '', '服装/女装/连衣裙'],
  ['track', 'Checkout Started', '', ''],
  ['track', 'Order Completed', '', ''],
];

export function browsingFixture(seed = 11): { events: Row[]; personIds: PersonId[] } {
  let s = seed;
  const rand = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const int = (n: number) => Math.floor(rand() * n);
  const events: Row[] = [];
  const personIds: PersonId[] = [];
  let n = 0;
  let sess = 0;
  const start = Date.UTC(2024, 4, 30); // a few days before FROM, to a few after TO
  for (let p = 1; p <= 36; p++) {
    const user = `u${p}`;
    const anon = `a${p}`;
    // most people browse anonymously first and sign in later; p % 9 == 0 never reached the identity mirror
    if (p % 9 !== 0) personIds.push({ distinct_id: anon, person_id: user, version: p, is_deleted: 0 });
    personIds.push({ distinct_id: user, person_id: user, version: p, is_deleted: 0 });
    let t = start + int(3 * DAY) + p * 7_000;
    const visits = 2 + int(7);
    for (let v = 0; v < visits; v++) {
      const signedIn = v > 0 && p % 4 !== 0;
      const ids = signedIn ? { anonymous_id: anon, user_id: user, distinct_id: anon } : { anonymous_id: anon, user_id: '', distinct_id: anon };
      const server = p % 6 === 0 && v % 2 === 1 ? { anonymous_id: '', user_id: user, distinct_id: user } : null;
      const sid = rand() < 0.25 ? `s${++sess}` : '';
      const len = 1 + int(11);
      let prev = -1;
      for (let k = 0; k < len; k++) {
        // repeat the previous step now and then (collapsed in paths), otherwise a random one; visits start at home mostly
        const i = k === 0 ? (rand() < 0.7 ? 0 : int(STEPS.length)) : prev >= 0 && rand() < 0.2 ? prev : int(STEPS.length);
        prev = i;
        const [type, name, page, category] = STEPS[i]!;
        const who = server && type === 'track' ? server : ids;
        events.push({
          message_id: `m${++n}`, type, event: name, ...who, timestamp: t, original_timestamp: t, received_at: t,
          session_id: sid, page_path: page, category,
        });
        // mostly seconds to minutes apart; sometimes a pause longer than 30 minutes (a new session unless the session id holds it together)
        t += rand() < 0.08 ? 31 * MIN + int(20 * MIN) : 1_000 + int(4 * MIN);
      }
      if (rand() < 0.3) events.push({ message_id: `m${++n}`, type: 'identify', event: '', ...ids, timestamp: t, original_timestamp: t, received_at: t, session_id: '', page_path: '', category: '' });
      t += 40 * MIN + int(2 * DAY);
    }
  }
  return { events, personIds };
}

export const SHANGHAI = 8 * 3_600_000;
export const dayOf = (ms: number) => new Date(ms + SHANGHAI).toISOString().slice(0, 10);
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function personResolver(ids: PersonId[]) {
  const latest = new Map<string, PersonId>();
  for (const p of ids) if (!latest.has(p.distinct_id) || latest.get(p.distinct_id)!.version < p.version) latest.set(p.distinct_id, p);
  return (e: Row) => {
    const m = latest.get(e.distinct_id);
    return m && !m.is_deleted ? m.person_id : e.user_id || e.distinct_id;
  };
}

/** Sessions of the range: per person and session id; without one, split where more than 30 minutes pass. */
export function sessionsOf(fx: { events: Row[]; personIds: PersonId[] }, from: string, to: string): { person: string; events: Row[] }[] {
  const personOf = personResolver(fx.personIds);
  const groups = new Map<string, Row[]>();
  for (const e of fx.events) {
    if (!['track', 'page', 'screen'].includes(e.type)) continue;
    const d = dayOf(e.timestamp);
    if (d < from || d >= to) continue;
    const key = `${personOf(e)}\u0000${e.session_id}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const out: { person: string; events: Row[] }[] = [];
  for (const [key, evs] of groups) {
    const [person, sid] = key.split('\u0000') as [string, string];
    evs.sort((a, b) => a.timestamp - b.timestamp);
    if (sid) {
      out.push({ person, events: evs });
      continue;
    }
    let cur: Row[] = [];
    for (const e of evs) {
      if (cur.length && e.timestamp - cur[cur.length - 1]!.timestamp > 30 * MIN) {
        out.push({ person, events: cur });
        cur = [];
      }
      cur.push(e);
    }
    if (cur.length) out.push({ person, events: cur });
  }
  return out;
}

export const nameOf = (e: Row) => (e.type === 'track' ? e.event : e.event || e.page_path || '(none)');
export const isView = (e: Row) => e.type === 'page' || e.type === 'screen' || e.event === 'Product Viewed' || e.event === 'Product List Viewed';

