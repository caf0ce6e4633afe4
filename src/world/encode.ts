// Segment-spec JSON lines built with string templates. JSON.stringify of nested objects per event
// is the bottleneck at 500k events/s, so every variable string that is not from our own
// quote-free vocabularies is escaped once (catalog fragments, traits) and reused.

import { CITY_TIER_EN, type DeviceType } from './peopleData.ts';
import type { Device, Person } from './people.ts';
import { CITIES, CHANNELS } from './peopleData.ts';


/**
 * Lines are assembled as "wire strings": JS strings whose char codes are the UTF-8 bytes (latin1
 * view). V8 keeps them one byte per char, so building, flattening and writing lines costs half
 * as much as with two-byte strings (any Chinese character makes a whole JS string two-byte), and
 * the writer copies them to the file verbatim. Non-ASCII text passes through `wire` once.
 */
export function wire(s: string): string {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return Buffer.from(s, 'utf8').toString('latin1');
  return s;
}

/** Page titles, wire-encoded once. */
export const TITLES = { home: wire('首页'), review: wire('评价'), cart: wire('购物车'), checkout: wire('结算') };

/** A wire string back to a normal JS string (for the object API and dirt rewriting). */
export function unwire(s: string): string {
  return Buffer.from(s, 'latin1').toString('utf8');
}
const P2: string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const P3: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
// Small tables ("SS." and "mmmZ") stay in cache; a 60,000-entry table of "SS.mmmZ" did not.
const SEC_DOT: string[] = P2.slice(0, 60).map((s) => `${s}.`);
const MS_Z: string[] = P3.map((s) => `${s}Z`);
let cachedMinute = NaN;
let cachedPrefix = '';
let cachedDay = NaN;
let cachedDayPrefix = '';

/**
 * ISO-8601 UTC with milliseconds, like Date#toISOString but several times faster: the
 * "YYYY-MM-DDTHH:MM:" prefix is cached per minute, and consecutive events share minutes.
 */
export function iso(t: number): string {
  const minute = Math.floor(t / 60_000);
  if (minute !== cachedMinute) {
    cachedMinute = minute;
    const day = Math.floor(minute / 1440);
    if (day !== cachedDay) {
      cachedDay = day;
      cachedDayPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
    }
    const m = minute - day * 1440;
    const h = Math.floor(m / 60);
    cachedPrefix = cachedDayPrefix + P2[h] + ':' + P2[m - h * 60] + ':';
  }
  const r = t - minute * 60_000;
  const s = Math.floor(r / 1000);
  return cachedPrefix + SEC_DOT[s] + MS_Z[r - s * 1000];
}

/** A message kind: counted per world, and for track events the JSON between messageId and properties. */
export interface MessageKind {
  id: number;
  name: string;
  json: string;
}
export const MESSAGE_KINDS: MessageKind[] = [];
function kind(name: string): MessageKind {
  const k = { id: MESSAGE_KINDS.length, name, json: `","event":"${name}","properties":` };
  MESSAGE_KINDS.push(k);
  return k;
}

/** Segment e-commerce v2 events and the other message types, as constants (no per-event lookups). */
export const EV = {
  searched: kind('Products Searched'),
  listViewed: kind('Product List Viewed'),
  viewed: kind('Product Viewed'),
  added: kind('Product Added'),
  removed: kind('Product Removed'),
  wishlisted: kind('Product Added to Wishlist'),
  cartViewed: kind('Cart Viewed'),
  checkoutStarted: kind('Checkout Started'),
  couponApplied: kind('Coupon Applied'),
  orderCompleted: kind('Order Completed'),
  reviewed: kind('Product Reviewed'),
  shared: kind('Product Shared'),
  page: kind('page'),
  screen: kind('screen'),
  identify: kind('identify'),
  alias: kind('alias'),
};

/**
 * Per-visit constant parts of every line, flattened once. A line is then about a dozen string
 * pieces instead of ~35, which halves the cost of flattening it on output.
 */
export function flat(s: string): string {
  s.charCodeAt(0); // forces V8 to flatten the rope in place
  return s;
}
export const TS_JSON = ',"timestamp":"';
export const SENT_JSON = '","sentAt":"';

// First octets of address blocks announced in China, so IPs look plausible to geo tooling.
const IP_FIRST = [36, 39, 42, 58, 59, 60, 61, 101, 106, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 180, 182, 183, 218, 219, 220, 221, 222, 223];
const ANDROID_MODELS = ['HUAWEI Mate60', 'Xiaomi 14', 'OPPO Reno11', 'vivo X100', 'HONOR 90', 'Redmi K70'];

export function osName(d: Device): string {
  const alt = (d.ipTail & 1) === 1;
  switch (d.type) {
    case 'ios': return 'iOS';
    case 'android': return 'Android';
    case 'pc': return alt ? 'macOS' : 'Windows';
    default: return alt ? 'iOS' : 'Android';
  }
}

/** Web and WeChat mini-program traffic carries a browser user agent. */
function userAgent(d: Device): string {
  const v = 15 + ((d.ipTail >>> 28) % 4);
  if (d.type === 'pc') {
    return osName(d) === 'macOS'
      ? `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/12${v % 10}.0 Safari/537.36`
      : `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/12${v % 10}.0 Safari/537.36`;
  }
  return osName(d) === 'iOS'
    ? `Mozilla/5.0 (iPhone; CPU iPhone OS ${v + 2}_0 like Mac OS X) MicroMessenger/8.0.${40 + v} miniProgram`
    : `Mozilla/5.0 (Linux; Android ${v - 3}) MicroMessenger/8.0.${40 + v} miniProgram`;
}

/** device/os objects: native SDKs report model and OS version instead of a user agent. */
function deviceOsJson(d: Device): string {
  const v = 15 + ((d.ipTail >>> 28) % 4);
  if (d.type === 'ios') return `"device":{"type":"ios","model":"iPhone${v - 1},${1 + (d.ipTail % 3)}"},"os":{"name":"iOS","version":"${v + 2}.${d.ipTail % 6}"}`;
  if (d.type === 'android') {
    return `"device":{"type":"android","model":"${ANDROID_MODELS[d.ipTail % ANDROID_MODELS.length]}"},"os":{"name":"Android","version":"${v - 3}"}`;
  }
  return `"userAgent":"${userAgent(d)}","device":{"type":"${d.type}"},"os":{"name":"${osName(d)}"}`;
}

export function isApp(type: DeviceType): boolean {
  return type !== 'pc';
}

export interface Campaign {
  name: string;
  source: string;
  medium: string;
  content?: string;
}

/** The `context` object of every message from one device in one session. */
export function contextJson(p: Person, d: Device, campaign: Campaign | null): string {
  const ip = `${IP_FIRST[(p.city * 7 + (d.ipTail >>> 24)) % IP_FIRST.length]}.${(d.ipTail >>> 16) & 255}.${(d.ipTail >>> 8) & 255}.${(d.ipTail & 253) + 1}`;
  const camp = campaign
    ? `"campaign":{"name":"${campaign.name}","source":"${campaign.source}","medium":"${campaign.medium}"${campaign.content ? `,"content":"${campaign.content}"` : ''}},`
    : '';
  return `{"ip":"${ip}",${deviceOsJson(d)},"locale":"${p.locale}","timezone":"Asia/Shanghai",${camp}"library":{"name":"huaxiang-world"}}`;
}

/** `"anonymousId":…,"userId":…,` prefix for a device's messages. */
export function idsJson(p: Person, d: Device): string {
  return d.linked ? `"anonymousId":"${d.anonymousId}","userId":"${p.userId}",` : `"anonymousId":"${d.anonymousId}",`;
}

export function identifyLine(mid: string, ids: string, traits: string, t: number, sentAt: number, ctx: string): string {
  return `{"type":"identify","messageId":"${mid}",${ids}"traits":${traits},"timestamp":"${iso(t)}","sentAt":"${iso(sentAt)}","context":${ctx}}`;
}

export function aliasLine(mid: string, previousId: string, userId: string, t: number, sentAt: number, ctx: string): string {
  return `{"type":"alias","messageId":"${mid}","previousId":"${previousId}","userId":"${userId}","timestamp":"${iso(t)}","sentAt":"${iso(sentAt)}","context":${ctx}}`;
}

/** identify traits: Segment reserved traits plus the shop's own (city tier, channel, consent). */
export function traitsJson(p: Person, t: number): string {
  const c = CITIES[p.city];
  const ch = CHANNELS[p.channel];
  return wire(JSON.stringify({
    email: p.email,
    phone: p.phone,
    name: p.name,
    gender: p.gender,
    age: new Date(t).getUTCFullYear() - p.birthYear,
    birthday: p.birthday,
    address: { city: c.zh, state: c.provinceZh, country: 'CN' },
    city_tier: c.tier,
    city_tier_en: CITY_TIER_EN[c.tier],
    acquisition_channel: ch[0],
    createdAt: new Date(p.signupAt).toISOString(),
    consent: p.consent,
  }));
}

/** Money as a JSON number with at most two decimals. */
export function money(x: number): number {
  return Math.round(x * 100) / 100;
}
