// Hidden personas must leave the footprints the tags are meant to find (TAGS.md 行为特征).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orders, sampleWorld, STATS_WORLD } from './testing.ts';

const w = sampleWorld(STATS_WORLD);
const all = orders(w.messages);
const personaOf = (userId: string): string => w.users.get(userId)!.persona as string;
const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;

function byPersona<T>(f: (o: (typeof all)[number]) => T[]): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const o of all) (out[personaOf(o.userId)] ??= []).push(...f(o));
  return out;
}

test('price-sensitive shoppers pay clearly lower unit prices than trend seekers', () => {
  const prices = byPersona((o) => (o.props.products as { price: number }[]).map((p) => p.price));
  const ps = mean(prices.price_sensitive);
  const ts = mean(prices.trend_seeker);
  assert.ok(prices.price_sensitive.length > 100 && prices.trend_seeker.length > 100, 'enough purchases');
  assert.ok(ps < 0.8 * ts, `price-sensitive ${ps.toFixed(1)} vs trend seeker ${ts.toFixed(1)}`);
});

test('price-sensitive shoppers use coupons on a larger share of orders', () => {
  const coupon = byPersona((o) => [o.props.coupon ? 1 : 0]);
  const ps = mean(coupon.price_sensitive);
  for (const other of ['trend_seeker', 'brand_loyal', 'mixed']) {
    assert.ok(ps > mean(coupon[other]) + 0.08, `coupon share ${ps.toFixed(2)} vs ${other} ${mean(coupon[other]).toFixed(2)}`);
  }
});

test('brand-loyal shoppers concentrate purchases on their top brand more than the mixed majority', () => {
  const perUser = new Map<string, Map<string, number>>();
  for (const o of all) {
    const m = perUser.get(o.userId) ?? new Map<string, number>();
    perUser.set(o.userId, m);
    for (const p of o.props.products as { brand: string }[]) m.set(p.brand, (m.get(p.brand) ?? 0) + 1);
  }
  const share: Record<string, number[]> = {};
  for (const [u, m] of perUser) {
    const counts = [...m.values()];
    const n = counts.reduce((a, x) => a + x, 0);
    if (n >= 3) (share[personaOf(u)] ??= []).push(Math.max(...counts) / n);
  }
  const loyal = mean(share.brand_loyal);
  const mixed = mean(share.mixed);
  assert.ok(loyal > mixed * 1.15, `top-brand share loyal ${loyal.toFixed(2)} vs mixed ${mixed.toFixed(2)}`);
});

test('trend seekers buy new arrivals far more often', () => {
  const fresh = byPersona((o) => (o.props.products as { product_id: string }[]).map((p) => {
    const launched = Date.parse(w.items.get(p.product_id)!.launched_at as string);
    return o.t - launched < 45 * 86_400_000 ? 1 : 0;
  }));
  const ts = mean(fresh.trend_seeker);
  for (const other of ['price_sensitive', 'brand_loyal', 'mixed']) {
    assert.ok(ts > 2 * mean(fresh[other]), `new-arrival share ${ts.toFixed(2)} vs ${other} ${mean(fresh[other]).toFixed(2)}`);
  }
});

test('potential shoppers browse but have the lowest order rate', () => {
  const users: Record<string, number> = {};
  const views: Record<string, number> = {};
  for (const u of w.users.values()) users[u.persona as string] = (users[u.persona as string] ?? 0) + 1;
  for (const m of w.messages) {
    if (m.event === 'Product Viewed' && m.userId) views[personaOf(m.userId)] = (views[personaOf(m.userId)] ?? 0) + 1;
  }
  const rate: Record<string, number> = {};
  for (const o of all) rate[personaOf(o.userId)] = (rate[personaOf(o.userId)] ?? 0) + 1;
  const perUser = (p: string): number => (rate[p] ?? 0) / users[p];
  for (const other of ['trend_seeker', 'price_sensitive', 'brand_loyal', 'mixed']) {
    assert.ok(perUser('potential') < 0.5 * perUser(other), `orders/user potential ${perUser('potential').toFixed(2)} vs ${other} ${perUser(other).toFixed(2)}`);
  }
  assert.ok((views.potential ?? 0) / users.potential > 1, 'potential shoppers do browse');
});
