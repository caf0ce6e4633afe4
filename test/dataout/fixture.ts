import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import type { Role } from '../../src/server/access.ts';
import { DAY, HOUR, msg, prng, send, type Msg, type Scenario } from '../support/scenario.ts';

/**
 * The data-out suites' shop: people who browse anonymously, sign up (alias), identify with personal data
 * (email, phone, name, address, birthday: none of it may leave in an export or the SQL console) and
 * ordinary traits, then view and order. `expected` is what the exports must say, worked out here from the
 * messages alone.
 */

export const OC = 'Order Completed';
export const T0 = Date.now() - 30 * DAY;
export const USERS = Array.from({ length: 24 }, (_, i) => `du${String(i).padStart(2, '0')}`);

export interface Person {
  id: string;
  email: string;
  phone: string;
  name: string;
  street: string;
  birthday: string;
  plan: string;
  cityTier: string;
  /** track/page/screen messages from any of the person's ids */
  events: number;
  orders: number;
}

export function shop(): { messages: Msg[]; people: Person[] } {
  const rnd = prng(42);
  const messages: Msg[] = [];
  const people: Person[] = [];
  for (const [i, u] of USERS.entries()) {
    const p: Person = {
      id: u,
      email: `${u}.secret@example.com`,
      phone: `1391234${String(5000 + i)}`,
      name: `王秘密${i}`,
      street: `浙江省杭州市西湖区文三路${100 + i}号`,
      birthday: `199${i % 10}-0${1 + (i % 9)}-1${i % 10}`,
      plan: i % 3 ? 'free' : 'plus',
      cityTier: i % 2 ? '一线' : '三线',
      events: 0,
      orders: 0,
    };
    const t = T0 + i * HOUR;
    const anon = `danon-${u}`;
    messages.push(msg.anon(anon, 'Product Viewed', t, { product_id: `p${i % 5}`, category: '服装/女装/连衣裙', price: 129 }));
    p.events++;
    messages.push(msg.alias(anon, u, t + 60_000));
    messages.push(msg.identify(u, t + 120_000, { email: p.email, phone: p.phone, name: p.name, address: p.street, birthday: p.birthday, plan: p.plan, city_tier: p.cityTier }));
    const views = 1 + Math.floor(rnd() * 5);
    for (let k = 0; k < views; k++) messages.push(msg.track(u, 'Product Viewed', t + (k + 1) * 3 * HOUR, { product_id: `p${k}`, price: 40 + k }));
    p.events += views;
    const orders = Math.floor(rnd() * 3);
    for (let k = 0; k < orders; k++) {
      const price = 60 + Math.round(rnd() * 200);
      messages.push(msg.track(u, OC, t + (k + 1) * DAY, { order_id: `do-${u}-${k}`, revenue: price, currency: 'CNY', products: [{ product_id: `p${k}`, category: '美妆/护肤/面霜', price, quantity: 1 }] }));
    }
    p.events += orders;
    p.orders = orders;
    people.push(p);
  }
  return { messages, people };
}

/** Loads the shop into a scenario, builds the tags and saves a segment of buyers. */
export async function loadShop(sc: Scenario): Promise<{ people: Person[]; segmentId: string }> {
  const { messages, people } = shop();
  await send(sc.rt, messages);
  await sc.rt.tags.build({ asOf: new Date(), trigger: 'test' });
  const seg = await sc.rt.segments.create({ name: 'Buyers', description: '', kind: 'dynamic', rule: { event: OC, count: { op: 'gte', value: 1 }, within: { days: 365 } } } as never, 'test');
  await sc.rt.segments.evaluate(seg.id, 'test');
  return { people, segmentId: seg.id };
}

/** Every personal value of the shop: none of these strings may appear in a default export or console result. */
export const personalValues = (people: Person[]) => people.flatMap((p) => [p.email, p.phone, p.name, p.street, p.birthday]);

/** The API on the scenario's runtime over loopback HTTP, with a token per role. */
export async function startApi(sc: Scenario): Promise<{ app: FastifyInstance; base: string; tokens: Record<Role, string> }> {
  const { app, ctx } = await buildApp(sc.rt);
  const tokens = {} as Record<Role, string>;
  for (const role of ['admin', 'analyst', 'marketer', 'viewer'] as Role[]) {
    tokens[role] = `tok-${role}-${Math.random().toString(36).slice(2)}`;
    await ctx.access.addToken(role, tokens[role], role);
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, tokens };
}
