// One shopper's visit as it is being generated: the time cursor, the device and its ids, the
// pre-built context, and the emitters for each Segment message type. Also the identity moves
// (login on a device, signup) that join anonymous browsing to the user id.

import { DAY, localHour, type Promo } from './calendar.ts';
import {
  aliasLine, contextJson, EV, flat, identifyLine, idsJson, isApp, SENT_JSON, traitsJson, TS_JSON, iso,
  type Campaign, type MessageKind,
} from './encode.ts';
import type { Device, Person } from './people.ts';
import type { Sim } from './sim.ts';

/** Marks an Order Completed line inside the engine; removed before output. */
export const ORDER_MARK = '\u0001';

export class Visit {
  u!: Person;
  d!: Device;
  t = 0;
  ids = '';
  ctx = '';
  /** `{"type":"track",<ids>"messageId":"w-<seed>-` and the page/screen twin; `","context":{…}}`. */
  private headTrack = '';
  private headView = '';
  private tail = '';
  app = true;
  promo: Promo | null = null;
  hour = 0;
  /** Set when the visit came from someone's share: attribution travels on the order. */
  shareId = '';
  sharer: Person | null = null;

  constructor(private readonly sim: Sim) {}

  begin(u: Person, d: Device, t: number, campaign: Campaign | null, shareId: string, sharer: Person | null): void {
    this.u = u;
    this.d = d;
    this.t = t;
    this.app = isApp(d.type);
    // The device's line pieces are built once and reused; a campaign makes this visit's own.
    if (campaign) {
      this.ctx = contextJson(u, d, campaign);
      this.tail = flat(`","context":${this.ctx}}`);
    } else {
      if (!d.ctx) {
        d.ctx = flat(contextJson(u, d, null));
        d.tail = flat(`","context":${d.ctx}}`);
      }
      this.ctx = d.ctx;
      this.tail = d.tail;
    }
    if (!d.headTrack) this.relink();
    else {
      this.ids = idsJson(u, d);
      this.headTrack = d.headTrack;
      this.headView = d.headView;
    }
    this.promo = this.sim.cal.promoAt(t);
    this.hour = localHour(t);
    this.shareId = shareId;
    this.sharer = sharer;
  }

  /** Move the cursor on by a random gap in [lo, hi) seconds. */
  step(lo: number, hi: number): void {
    this.t += Math.floor((lo + (hi - lo) * this.sim.rng.next()) * 1000);
  }

  /** SDKs batch and flush: sentAt trails the event by up to ~15 s. */
  private sent(): number {
    return this.t + 150 + this.sim.rng.int(15_000);
  }

  track(kind: MessageKind, props: string): void {
    const s = this.sim;
    const t = this.t;
    const line = this.headTrack + s.nextMessage() + kind.json + props + TS_JSON + iso(t) + SENT_JSON + iso(this.sent()) + this.tail;
    // Orders are flagged with a leading \u0001 (stripped on output) so dirt can find them cheaply.
    s.emit(t, kind === EV.orderCompleted ? ORDER_MARK + line : line);
    s.count(kind, t);
  }

  /** page (web) or screen (apps) view; `title` must already be wire-encoded. */
  view(name: string, title: string, path: string): void {
    const s = this.sim;
    const props = this.app ? `{"title":"${title}"}` : `{"path":"${path}","url":"https://shop.example.com${path}","title":"${title}"}`;
    const t = this.t;
    s.emit(t, this.headView + s.nextMessage() + `","name":"${name}","properties":` + props + TS_JSON + iso(t) + SENT_JSON + iso(this.sent()) + this.tail);
    s.count(this.app ? EV.screen : EV.page, t);
  }

  identify(): void {
    const s = this.sim;
    s.emit(this.t, identifyLine(s.mid(), this.ids, traitsJson(this.u, this.t), this.t, this.sent(), this.ctx));
    s.count(EV.identify, this.t);
  }

  alias(): void {
    const s = this.sim;
    s.emit(this.t, aliasLine(s.mid(), this.d.anonymousId, this.u.userId, this.t, this.sent(), this.ctx));
    s.count(EV.alias, this.t);
  }

  /** Rebuild the id prefix after the device joins the user (and at the start of a visit). */
  relink(): void {
    const d = this.d;
    this.ids = idsJson(this.u, d);
    const mid = this.sim.midPrefix;
    this.headTrack = d.headTrack = flat(`{"type":"track",${this.ids}"messageId":"${mid}`);
    this.headView = d.headView = flat(`{"type":"${this.app ? 'screen' : 'page'}",${this.ids}"messageId":"${mid}`);
  }
}

/** Second devices come into use partway through the window and then get ~40% of visits. */
export function pickDevice(sim: Sim, u: Person, t: number): Device {
  if (u.devices.length > 1 && t >= u.secondDeviceFrom && sim.rng.chance(0.4)) return u.devices[1];
  return u.devices[0];
}

/**
 * At the start of a visit: a known device of a member announces itself once per window
 * (identify with traits). Returns true when the user is registered but this device is not yet
 * joined: the visit starts anonymous and logs in after landing.
 */
export function openIdentity(v: Visit): boolean {
  const { u, d } = v;
  if (u.registered && d.linked && !d.announced) {
    v.identify();
    d.announced = true;
    return false;
  }
  return u.registered && !d.linked;
}

/** Login on a not-yet-joined device: alias(previousId = this anonymousId) or identify. */
export function login(v: Visit): void {
  const d = v.d;
  d.linked = true;
  v.relink();
  if (d.aliasLogin) v.alias();
  else v.identify();
  d.announced = true;
}

/** Account creation inside a visit: the first identify for this user, plus a new-user coupon. */
export function signup(v: Visit): void {
  const { u, d } = v;
  u.registered = true;
  u.signupAt = v.t;
  d.linked = true;
  v.relink();
  v.identify();
  d.announced = true;
  u.newUserCouponUntil = v.t + 14 * DAY;
}
