import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createChannels } from '../../src/campaigns/channels/index.ts';
import type { OutgoingMessage } from '../../src/campaigns/index.ts';
import { DAY, HOUR, MINUTE, SHANGHAI_OFFSET, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * The delivery pipeline on a real runtime against a real signed-webhook receiver started here: retries with
 * exponential backoff (30 s, 60 s, … by default) then success, a final failure after the last attempt, a
 * non-retryable refusal failing at once, the per-channel rate limit, budgets (maxSends, coupon value) and
 * send-time optimisation from the preferred-hours tag built from the person's own events.
 */

let sc: Scenario;
let clock = Date.parse('2026-11-24T04:00:00Z'); // 12:00 in Shanghai
let receiver: http.Server;
let url = '';
/** per message id: the statuses to answer, in order (then 200) */
const script = new Map<string, number[]>();
/** every request the receiver got: the message id and the send time the body carries (`sentAt`, stamped as it leaves) */
const arrivals: { id: string; t: number }[] = [];
const crowd = Array.from({ length: 30 }, (_, i) => `d-rate${i}`);

const message = (id: string, userId: string, over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id, campaignId: null, journeyId: 'delivery', stepId: 's', personId: userId, userId, channel: 'webhook', arm: 'A', locale: 'zh-CN',
  content: { body: { 'zh-CN': '你好' } }, notBefore: new Date(clock).toISOString(), ...over,
});
const row = async (id: string) => (await sc.rt.oltp.query<{ status: string; reason: string | null; attempts: number; next_attempt_at: Date; last_error: string | null; not_before: Date }>(
  'SELECT status, reason, attempts, next_attempt_at, last_error, not_before FROM campaign_messages WHERE id = $1', [id]))[0]!;
const useWebhook = (ratePerSecond?: number) => {
  sc.rt.campaigns.channels = createChannels(sc.rt, { webhook: { url, secret: 'delivery-test-secret-0123456789', ratePerSecond } });
};

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-cmp-delivery-' });
  sc.rt.campaigns.clock = () => new Date(clock);
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { id, sentAt } = JSON.parse(body) as { id: string; sentAt: string };
      arrivals.push({ id, t: Date.parse(sentAt) });
      const code = script.get(id)?.shift() ?? 200;
      res.writeHead(code).end(code === 200 ? 'ok' : `status ${code}`);
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  useWebhook();
  const t = clock - 3 * DAY;
  await send(sc.rt, [
    ...['d-retry', 'd-final', 'd-refused', 'd-sto', ...crowd].map((u) => msg.identify(u, t, { consent: { marketing: true } })),
    // the STO person browses at 20:xx Shanghai time on many days, and once at 09:xx
    ...Array.from({ length: 6 }, (_, i) => msg.track('d-sto', 'Product Viewed', clock - (i + 1) * DAY + 8 * HOUR + 10 * MINUTE, { product_id: `p${i}` })),
    msg.track('d-sto', 'Product Viewed', clock - 2 * DAY - 3 * HOUR + 5 * MINUTE, { product_id: 'p9' }),
  ]);
});
after(async () => {
  await sc?.close();
  receiver?.close();
});

describe('delivery pipeline', () => {
  it('retries a retryable failure with exponential backoff, then succeeds', async () => {
    useWebhook();
    script.set('retry:d-retry', [503, 503]);
    await sc.rt.campaigns.enqueue([message('retry:d-retry', 'd-retry')]);
    const base = sc.rt.config.campaigns.retryBaseMs;
    assert.equal(await sc.rt.campaigns.deliverNow(), 0);
    let r = await row('retry:d-retry');
    assert.deepEqual([r.status, r.attempts], ['queued', 1]);
    assert.match(r.last_error!, /503/);
    assert.equal(new Date(r.next_attempt_at).getTime() - clock, base, 'first retry after the base delay');
    assert.equal(await sc.rt.campaigns.deliverNow(), 0, 'nothing is due before the backoff ends');
    clock += base;
    assert.equal(await sc.rt.campaigns.deliverNow(), 0);
    r = await row('retry:d-retry');
    assert.equal(new Date(r.next_attempt_at).getTime() - clock, 2 * base, 'the second retry waits twice as long');
    clock += 2 * base;
    assert.equal(await sc.rt.campaigns.deliverNow(), 1);
    r = await row('retry:d-retry');
    assert.deepEqual([r.status, r.attempts], ['sent', 3]);
    assert.equal(arrivals.filter((a) => a.id === 'retry:d-retry').length, 3);
  });

  it('fails a message for good after the last attempt, and at once on a refusal that is not worth retrying', async () => {
    useWebhook();
    const max = sc.rt.config.campaigns.maxAttempts;
    script.set('final:d-final', Array(max + 2).fill(502));
    script.set('refused:d-refused', [400]);
    await sc.rt.campaigns.enqueue([message('final:d-final', 'd-final'), message('refused:d-refused', 'd-refused')]);
    for (let i = 0; i < max; i++) {
      await sc.rt.campaigns.deliverNow();
      clock += sc.rt.config.campaigns.retryBaseMs * 2 ** i;
    }
    const f = await row('final:d-final');
    assert.deepEqual([f.status, f.attempts], ['failed', max]);
    assert.match(f.last_error!, /502/);
    assert.equal(arrivals.filter((a) => a.id === 'final:d-final').length, max);
    const refused = await row('refused:d-refused');
    assert.deepEqual([refused.status, refused.attempts], ['failed', 1]);
    clock = Date.parse('2026-11-24T04:00:00Z');
  });

  it('keeps to the channel rate: 60 messages at 20 a second take about 2.9 s or more, never more than 22 in any second', async () => {
    useWebhook(20);
    const start = arrivals.length;
    const n = 2 * crowd.length;
    await sc.rt.campaigns.enqueue(crowd.flatMap((u) => [message(`rate1:${u}`, u), message(`rate2:${u}`, u)]));
    assert.equal(await sc.rt.campaigns.deliverNow(), n);
    const ts = arrivals.slice(start).map((a) => a.t).sort((a, b) => a - b);
    assert.equal(ts.length, n);
    // a bucket of 20/s holding 2 tokens: n messages need at least (n − 2) / 20 seconds, and no second
    // holds more than 20 + 2 (the send times are whole milliseconds: a little slack)
    assert.ok(ts.at(-1)! - ts[0]! >= ((n - 2) / 20) * 1000 - 20, `span ${ts.at(-1)! - ts[0]!} ms`);
    for (let i = 0; i < ts.length; i++) {
      const inWindow = ts.filter((t) => t >= ts[i]! && t < ts[i]! + 1000).length;
      assert.ok(inWindow <= 22, `${inWindow} in the second from message ${i}`);
    }
  });

  it('caps a campaign at maxSends and its coupons at the coupon budget', async () => {
    useWebhook();
    const people = crowd.slice(0, 20);
    const capped = await sc.rt.campaigns.store.create({
      id: 'd-maxsends', name: 'capped', owner: 'ops', channel: 'inapp', audience: { kind: 'list', userIds: people },
      variants: [{ name: 'A', weight: 1, content: { body: { 'zh-CN': '限量' } } }], experiment: { holdout: 0 }, budget: { maxSends: 7 },
    }, 'test');
    const run = await sc.rt.campaigns.startRun(capped.id, { actor: 'test' });
    assert.deepEqual([run.audience, run.treated, run.queued], [7, 7, 7]);
    assert.equal(await sc.rt.campaigns.deliverNow(), 7);

    const coupons = await sc.rt.campaigns.store.create({
      id: 'd-coupons', name: 'coupons', owner: 'ops', channel: 'inapp', audience: { kind: 'list', userIds: crowd.slice(20, 30) },
      variants: [{ name: 'A', weight: 1, content: { body: { 'zh-CN': '送你 {{coupon.value}} 元券' }, coupon: { value: 20, validDays: 7 } } }],
      experiment: { holdout: 0 }, budget: { couponBudget: 50 },
    }, 'test');
    await sc.rt.campaigns.startRun(coupons.id, { actor: 'test' });
    // 20 + 20 fit in 50; every further 20 would pass it
    assert.equal(await sc.rt.campaigns.deliverNow(), 2);
    const statuses = await sc.rt.oltp.query<{ status: string; reason: string | null; n: number }>(
      `SELECT status, reason, count(*)::int AS n FROM campaign_messages WHERE campaign_id = 'd-coupons' GROUP BY status, reason ORDER BY status`);
    assert.deepEqual(statuses.map((s) => [s.status, s.reason, s.n]), [['sent', null, 2], ['suppressed', 'budget', 8]]);
  });

  it('send-time optimisation: the message waits for the person\'s next preferred hour, from the tag built on their events', async () => {
    await sc.rt.tags.build({ asOf: new Date(clock), trigger: 'test' });
    const [tag] = await sc.rt.olap.query<{ value_list: string[] }>(
      `SELECT value_list FROM ${sc.rt.olap.db}.tag_values FINAL WHERE tag_code = 'preferred_hours' AND person_id = 'd-sto'`);
    // six views at 20:10 and one at 09:05 (Shanghai): 20 first, then 9
    assert.deepEqual(tag!.value_list.slice(0, 2), ['20', '9']);
    const c = await sc.rt.campaigns.store.create({
      id: 'd-sto', name: 'sto', owner: 'ops', channel: 'inapp', audience: { kind: 'list', userIds: ['d-sto'] },
      variants: [{ name: 'A', weight: 1, content: { body: { 'zh-CN': '晚上好' } } }], experiment: { holdout: 0 }, sendTimeOptimisation: true,
    }, 'test');
    await sc.rt.campaigns.startRun(c.id, { actor: 'test' });
    const id = 'd-sto:r1:d-sto';
    // now is 12:00 in Shanghai: the next preferred hour is 20:00 today
    const expected = Math.floor((clock + SHANGHAI_OFFSET) / DAY) * DAY + 20 * HOUR - SHANGHAI_OFFSET;
    assert.equal(new Date((await row(id)).not_before).getTime(), expected);
    assert.equal(await sc.rt.campaigns.deliverNow(), 0);
    clock = expected;
    assert.equal(await sc.rt.campaigns.deliverNow(), 1);
    assert.equal((await row(id)).status, 'sent');
  });
});
