import { isPersonalField, maskProperties, maskTraits, maskValue } from '../privacy/mask.ts';
import type { Runtime } from '../runtime.ts';
import { profileReader } from './reads.ts';

export interface Profile {
  userId: string;
  anonymousIds: string[];
  aliases: string[];
  traits: Record<string, unknown>;
  tags: Record<string, unknown>;
  segments: string[];
  eventCounts: Record<string, number>;
  firstSeen: string | null;
  lastSeen: string | null;
  updatedAt: string;
}

export interface TimelineEvent {
  messageId: string;
  type: string;
  event: string;
  timestamp: string;
  anonymousId: string;
  userId: string;
  properties: Record<string, unknown>;
}

type Rt = Pick<Runtime, 'olap' | 'identity' | 'keyring' | 'tags'>;

/** The ids to read a person's events by: every linked anonymousId and userId. */
async function idsFor(rt: Rt, id: string) {
  const person = await rt.identity.personOf(id);
  const { anonymousIds, userIds } = await rt.identity.idsOf(person);
  return { person, anonymousIds, userIds, all: [...userIds, ...anonymousIds] };
}

/**
 * A person's events are those sent from any of their ids (the device's anonymousId, or the userId when no
 * anonymousId came): the same rule the tag engine uses, and a primary-key read of the events table.
 */
const personFilter = `distinct_id IN {ids:Array(String)}`;

/** The 360° view assembled from the identity graph and the events (later: tags and segments). */
export async function getProfile(rt: Rt, id: string): Promise<Profile | null> {
  const ids = await idsFor(rt, id);
  // the person's events summed per id, event and month (migration 011: counts, first and last seen, the
  // identify traits), their tag values and segments; read together with any other profile asked for meanwhile
  const rows = await profileReader(rt).read({ person: ids.person, ids: ids.all });
  const counts = rows.summary;
  if (counts.length === 0) return null;
  const traits: Record<string, unknown> = {};
  // identify messages in time order (ISO timestamps of one width sort as text), later values winning
  const identifies = counts.flatMap((c) => c.identifies).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [, t, pii] of identifies) {
    if (t) Object.assign(traits, JSON.parse(t));
    if (pii) for (const [k, v] of Object.entries(JSON.parse(pii) as Record<string, string>)) traits[k] = masked(rt, k, v);
  }
  const eventCounts: Record<string, number> = {};
  for (const c of counts) eventCounts[c.event || c.type] = (eventCounts[c.event || c.type] ?? 0) + Number(c.events);
  const firsts = counts.map((c) => c.first_at).sort();
  const lasts = counts.map((c) => c.last_at).sort();
  return {
    userId: ids.person,
    anonymousIds: ids.anonymousIds,
    aliases: ids.userIds.filter((u) => u !== ids.person),
    traits,
    tags: Object.fromEntries(rows.tags.map((v) => [v.code, v.value])),
    segments: rows.segments,
    eventCounts,
    firstSeen: iso(firsts[0]),
    lastSeen: iso(lasts[lasts.length - 1]),
    updatedAt: new Date().toISOString(),
  };
}

/** Event counts by weekday (1 = Monday) × hour in the shop's time zone: the activity heatmap. */
export async function getActivity(rt: Rt & Pick<Runtime, 'config'>, id: string): Promise<{ weekday: number; hour: number; count: number }[]> {
  const ids = await idsFor(rt, id);
  const rows = await rt.olap.query<{ weekday: number; hour: number; n: number }>(
    `SELECT toDayOfWeek(timestamp, 0, {tz:String}) AS weekday, toHour(timestamp, {tz:String}) AS hour, count() AS n
     FROM ${rt.olap.db}.events WHERE ${personFilter} GROUP BY weekday, hour ORDER BY weekday, hour`,
    { ids: ids.all, uids: ids.userIds, tz: rt.config.timezone },
  );
  return rows.map((r) => ({ weekday: Number(r.weekday), hour: Number(r.hour), count: Number(r.n) }));
}

/** The person's events, newest first, across every device and id they used. */
export async function getTimeline(rt: Rt, id: string, limit: number, before?: number): Promise<TimelineEvent[]> {
  const ids = await idsFor(rt, id);
  const rows = await rt.olap.query<{ message_id: string; type: string; event: string; timestamp: string; anonymous_id: string; user_id: string; properties: string }>(
    `SELECT message_id, type, event, timestamp, anonymous_id, user_id, properties
     FROM ${rt.olap.db}.events WHERE ${personFilter} AND timestamp < fromUnixTimestamp64Milli({before:Int64})
     ORDER BY timestamp DESC, message_id LIMIT {limit:UInt32}`,
    { ids: ids.all, uids: ids.userIds, limit, before: before ?? Date.now() + 365 * 86_400_000 },
  );
  return rows.map((r) => ({
    messageId: r.message_id,
    type: r.type,
    event: r.event,
    timestamp: iso(r.timestamp)!,
    anonymousId: r.anonymous_id,
    userId: r.user_id,
    // properties the classification names pii or sensitive, and personal data in text, shown masked
    properties: r.properties ? maskProperties(JSON.parse(r.properties) as Record<string, unknown>) : {},
  }));
}

function masked(rt: Rt, field: string, token: string): string {
  try {
    const plain = rt.keyring.decrypt(token);
    // every personal field (phone, email, ID number, address …) masked the one way the API shows it; a field
    // of the shop's own name sealed because its value was personal data is masked as what the value is
    return String(isPersonalField(field) ? maskTraits({ [field]: plain })[field] : maskValue(plain));
  } catch {
    return '[unavailable]';
  }
}

/** ClickHouse's 'iso' output is `2026-11-20T10:00:00.000Z`-like already; normalise whatever comes. */
function iso(v: string | undefined): string | null {
  if (!v) return null;
  const t = Date.parse(v.endsWith('Z') || v.includes('+') ? v : v.replace(' ', 'T') + 'Z');
  return Number.isFinite(t) ? new Date(t).toISOString() : v;
}
