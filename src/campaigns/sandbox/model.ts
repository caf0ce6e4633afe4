import { createHash } from 'node:crypto';
import { CHANNEL_SEEN, REFERENCE_PRICE, responseProbability, type OfferChannel } from '../../world/response.ts';
import { TOP_CATEGORIES } from '../../world/catalogData.ts';
import { CONTROL_ARM } from '../types.ts';
import type { SandboxWorld, Shopper } from './world.ts';

/**
 * How the simulated audience answers one campaign, from the world's hidden response model
 * (src/world/response.ts): every person the campaign assigned — control included — orders in the offer's
 * category within the goal window with probability
 *   - withOffer  when a message reached them (its coupon value; the channel's chance of being seen), or
 *   - withoutOffer otherwise (the control, and treated people the guard rails suppressed),
 * drawn from a hash of (seed, campaign, person), so a seed always gives the same answers. A drawn order
 * lands at a uniform time within the window after the person's assignment (squeezed into the time that
 * has passed when the window has not yet ended, so no event is in the future), with the coupon when the
 * person holds one. The true effect of the run is the mean over each treated arm of (the probability
 * the person actually faced − withoutOffer): intent to treat, as the product measures it.
 */
export interface Delivery {
  messageId: string;
  userId: string;
  arm: string;
  channel: string;
  coupon?: { code: string; value: number; category?: string };
}

export interface SimAssignment {
  userId: string;
  personId: string;
  arm: string;
  assignedAt: string;
}

export interface SimulateInput {
  seed: string;
  campaignId: string;
  goal: { event: string; windowDays: number; category?: string };
  assignments: readonly SimAssignment[];
  /** user id → the message that reached them */
  deliveries: ReadonlyMap<string, Delivery>;
  world: SandboxWorld;
  /** how a message on a channel the model does not know (webhook, coupon) is seen; default inapp */
  seenAs?: OfferChannel;
  /** the local (Asia/Shanghai) hour the offer is seen; default the hour of each person's assignment */
  hour?: number;
  now: number;
}

export interface ArmTruth {
  arm: string;
  people: number;
  delivered: number;
  converted: number;
  /** mean probability of converting the arm's people faced (the expected CVR) */
  trueCvr: number;
  /** mean over the arm of (faced − withoutOffer); 0 for the control */
  trueUplift: number;
  /** the same over the people a message reached */
  trueUpliftDelivered: number | null;
}

export interface Simulation {
  campaignId: string;
  seed: string;
  /** the offer's top category code */
  category: string;
  arms: ArmTruth[];
  /** assigned ids the world does not know (not simulated) */
  unknown: number;
  events: Record<string, unknown>[];
}

const SHANGHAI_OFFSET_H = 8;

/** uniforms in [0, 1) from a hash of the parts */
function uniforms(...parts: string[]): [number, number, number] {
  const h = createHash('sha256').update(parts.join('|')).digest();
  const u = (o: number) => (h.readUInt32BE(o) * 2 ** 21 + (h.readUInt32BE(o + 4) >>> 11)) / 2 ** 53;
  return [u(0), u(8), u(16)];
}

/** a top category code from a code, a zh/en top name or a path under it */
export function categoryCode(c: string | undefined): string | undefined {
  if (!c) return undefined;
  const top = c.split('/')[0]!;
  return TOP_CATEGORIES.find((t) => t.code === top || t.zh === top || t.en === top)?.code;
}

export function seenChannel(channel: string, seenAs: OfferChannel): OfferChannel {
  return channel in CHANNEL_SEEN && channel !== 'none' ? (channel as OfferChannel) : seenAs;
}

export function simulate(inp: SimulateInput): Simulation {
  const seenAs = inp.seenAs ?? 'inapp';
  const counts = new Map<string, number>();
  for (const d of inp.deliveries.values()) {
    const c = categoryCode(d.coupon?.category);
    if (c) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const campaignCategory = categoryCode(inp.goal.category) ?? [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!campaignCategory) throw new Error(`campaign '${inp.campaignId}': no category to simulate (give the goal or the coupon a category)`);
  const windowMs = inp.goal.windowDays * 86_400_000;
  const arms = new Map<string, ArmTruth & { sumFaced: number; sumUplift: number; sumUpliftDelivered: number }>();
  const events: Record<string, unknown>[] = [];
  let unknown = 0;
  for (const a of inp.assignments) {
    const shopper = inp.world.byId.get(a.userId);
    if (!shopper) {
      unknown++;
      continue;
    }
    const t = arms.get(a.arm) ?? arms.set(a.arm, {
      arm: a.arm, people: 0, delivered: 0, converted: 0, trueCvr: 0, trueUplift: 0, trueUpliftDelivered: null, sumFaced: 0, sumUplift: 0, sumUpliftDelivered: 0,
    }).get(a.arm)!;
    const assignedAt = Date.parse(a.assignedAt);
    const d = a.arm === CONTROL_ARM ? undefined : inp.deliveries.get(a.userId);
    const category = categoryCode(d?.coupon?.category) ?? campaignCategory;
    const hour = inp.hour ?? (new Date(assignedAt).getUTCHours() + SHANGHAI_OFFSET_H) % 24;
    const r = responseProbability(shopper.traits, {
      couponValue: d?.coupon?.value ?? 0, category, channel: d ? seenChannel(d.channel, seenAs) : 'none', hour, windowDays: inp.goal.windowDays,
    });
    const faced = d ? r.withOffer : r.withoutOffer;
    t.people++;
    t.sumFaced += faced;
    t.sumUplift += faced - r.withoutOffer;
    if (d) {
      t.delivered++;
      t.sumUpliftDelivered += faced - r.withoutOffer;
    }
    const [draw, when, pick] = uniforms(inp.seed, inp.campaignId, a.userId);
    if (draw >= faced) continue;
    t.converted++;
    const span = Math.min(windowMs, Math.max(1000, inp.now - assignedAt));
    events.push(orderEvent(inp, shopper, a.userId, category, d, assignedAt + Math.floor(when * span), pick));
  }
  return {
    campaignId: inp.campaignId, seed: inp.seed, category: campaignCategory, unknown, events,
    arms: [...arms.values()].map(({ sumFaced, sumUplift, sumUpliftDelivered, ...t }) => ({
      ...t,
      trueCvr: t.people ? sumFaced / t.people : 0,
      trueUplift: t.people ? sumUplift / t.people : 0,
      trueUpliftDelivered: t.delivered ? sumUpliftDelivered / t.delivered : null,
    })),
  };
}

const money = (x: number) => Math.round(x * 100) / 100;

function orderEvent(inp: SimulateInput, s: Shopper, id: string, category: string, d: Delivery | undefined, at: number, pick: number): Record<string, unknown> {
  const items = inp.world.items.get(category);
  const top = TOP_CATEGORIES.find((t) => t.code === category)!;
  const item = items?.length
    ? items[Math.floor(pick * items.length)]!
    : { itemId: `sandbox-${category}`, name: top.zh, brand: '', category: top.zh, price: money(REFERENCE_PRICE[TOP_CATEGORIES.indexOf(top)]!) };
  const subtotal = item.price;
  const coupon = d?.coupon && (!d.coupon.category || categoryCode(d.coupon.category) === category) ? d.coupon : undefined;
  const discount = coupon ? money(Math.min(coupon.value, subtotal)) : 0;
  const revenue = money(subtotal - discount);
  const key = `${inp.seed}-${inp.campaignId}-${id}`;
  return {
    type: 'track',
    event: 'Order Completed',
    messageId: `sbx-${key}`,
    ...(id === s.userId ? { userId: id } : { anonymousId: id }),
    timestamp: new Date(at).toISOString(),
    properties: {
      order_id: `sbx-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`,
      total: revenue, revenue, subtotal, discount, coupon: coupon?.code ?? null, currency: 'CNY', category,
      products: [{ product_id: item.itemId, name: item.name, brand: item.brand, category: item.category, price: item.price, quantity: 1 }],
    },
    context: { library: { name: 'huaxiang-sandbox' }, timezone: 'Asia/Shanghai' },
  };
}
