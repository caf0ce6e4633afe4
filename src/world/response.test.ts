// The true response model: sane probabilities, offers help, promotion-sensitive shoppers respond
// more, and it reads the traits exactly as truth/users.jsonl writes them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { responseProbability, type ResponseTraits } from './response.ts';
import { sampleWorld } from './testing.ts';

const base: ResponseTraits = {
  convBase: 0.05, promoSensitivity: 0.6, activityPerDay: 0.1, favouriteHours: [20, 12],
  affinity: Array.from({ length: 14 }, () => 1 / 14),
};

test('probabilities are in [0,1], offers never hurt, bigger coupons help more', () => {
  let prev = -1;
  for (const couponValue of [0, 5, 20, 50, 200]) {
    const r = responseProbability(base, { couponValue, category: 'food', channel: 'inapp', hour: 20 });
    assert.ok(r.withOffer >= 0 && r.withOffer <= 1 && r.withoutOffer >= 0 && r.withoutOffer <= 1);
    assert.ok(r.withOffer >= r.withoutOffer - 1e-12);
    assert.ok(r.withOffer > prev || couponValue === 0);
    prev = r.withOffer;
  }
});

test('promotion-sensitive shoppers have larger uplift; channels that are seen less lift less', () => {
  const offer = { couponValue: 20, category: 'beauty', channel: 'inapp' as const, hour: 20 };
  const hunter = responseProbability({ ...base, promoSensitivity: 1.7 }, offer);
  const indifferent = responseProbability({ ...base, promoSensitivity: 0.2 }, offer);
  assert.ok(hunter.uplift > 2 * indifferent.uplift);
  const week = (channel: 'sms' | 'email') => responseProbability(base, { ...offer, channel, windowDays: 7 });
  assert.ok(week('sms').uplift > week('email').uplift);
  assert.ok(week('sms').uplift > 0 && week('sms').withOffer < 1);
});

test('works on truth/users.jsonl records (affinity keyed by category code)', () => {
  const w = sampleWorld({ users: 300, days: 10, future: 0, seed: 1 });
  const u = [...w.users.values()].find((x) => x.persona === 'price_sensitive')!;
  const r = responseProbability(u.traits as ResponseTraits, { couponValue: 10, category: 'food', channel: 'push', hour: 21, windowDays: 7 });
  assert.ok(r.uplift > 0 && r.withOffer < 1);
});
