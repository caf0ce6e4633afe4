import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createChannels } from '../../src/campaigns/channels/index.ts';
import { unsubscribeByMessage } from '../../src/campaigns/content/tracking.ts';
import type { ChannelName, OutgoingMessage } from '../../src/campaigns/index.ts';
import { DAY, HOUR, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * Each guard rail proven by its own scenario on a real runtime: messages go through the delivery pipeline
 * to a signed-webhook receiver started here (and to the in-app inbox); the engine's clock is moved by the
 * test. Default settings: at most 2 messages per person per channel and 4 in all within 24 h, quiet hours
 * 22:00–08:00 in each person's time zone, marketing consent required.
 */

let sc: Scenario;
let clock = Date.parse('2026-11-24T04:00:00Z'); // 12:00 in Shanghai
const received: { id: string; userId: string; at: number }[] = [];
let receiver: http.Server;

const message = (id: string, userId: string, channel: ChannelName = 'webhook', over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id, campaignId: null, journeyId: 'guards', stepId: id.split(':')[0]!, personId: userId, userId, channel, arm: 'A', locale: 'zh-CN',
  content: { subject: { 'zh-CN': '标题' }, body: { 'zh-CN': '你好 {{traits.name}}' } }, notBefore: new Date(clock).toISOString(), ...over,
});
const statusOf = async (id: string) => (await sc.rt.oltp.query<{ status: string; reason: string | null; not_before: Date }>(
  'SELECT status, reason, not_before FROM campaign_messages WHERE id = $1', [id]))[0]!;

before(async () => {
  sc = await openScenario({ live: false, prefix: 'hx-cmp-guards-' });
  sc.rt.campaigns.clock = () => new Date(clock);
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const m = JSON.parse(body) as { id: string; userId: string };
      received.push({ id: m.id, userId: m.userId, at: clock });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  sc.rt.campaigns.channels = createChannels(sc.rt, { webhook: { url, secret: 'guard-test-secret-0123456789' } });
  const t = clock - 2 * DAY;
  await send(sc.rt, [
    msg.identify('g-yes', t, { name: '甲', consent: { marketing: true } }),
    msg.identify('g-no', t, { name: '乙', consent: { marketing: false } }),
    msg.identify('g-unsaid', t, { name: '丙' }),
    // consent given, then withdrawn: the latest counts
    msg.identify('g-withdrawn', t, { consent: { marketing: true } }),
    msg.identify('g-withdrawn', t + HOUR, { consent: { marketing: false } }),
    msg.identify('g-cap', t, { consent: { marketing: true } }),
    msg.identify('g-unsub', t, { consent: { marketing: true } }),
    msg.identify('g-sh', t, { consent: { marketing: true } }),
    msg.identify('g-ny', t, { consent: { marketing: true }, timezone: 'America/New_York' }),
    msg.identify('g-erased', t, { consent: { marketing: true } }),
  ]);
});
after(async () => {
  await sc?.close();
  receiver?.close();
});

describe('guard rails', () => {
  it('consent: only a person whose latest consent.marketing is true gets anything; the others are suppressed with the reason', async () => {
    const users = ['g-yes', 'g-no', 'g-unsaid', 'g-withdrawn'];
    await sc.rt.campaigns.enqueue(users.map((u) => message(`consent:${u}`, u)));
    assert.equal(await sc.rt.campaigns.deliverNow(), 1);
    assert.deepEqual(received.filter((r) => r.id.startsWith('consent:')).map((r) => r.userId), ['g-yes']);
    for (const u of ['g-no', 'g-unsaid', 'g-withdrawn']) assert.deepEqual({ ...(await statusOf(`consent:${u}`)), not_before: null }, { status: 'suppressed', reason: 'no_consent', not_before: null }, u);
    assert.equal((await statusOf('consent:g-yes')).status, 'sent');
  });

  it('unsubscribe: after the person unsubscribes from a channel, the next message on it is suppressed; other channels still reach them', async () => {
    await sc.rt.campaigns.enqueue([message('unsub1:g-unsub', 'g-unsub')]);
    await sc.rt.campaigns.deliverNow();
    assert.equal((await statusOf('unsub1:g-unsub')).status, 'sent');
    assert.deepEqual(await unsubscribeByMessage(sc.rt, 'unsub1:g-unsub'), { personId: 'g-unsub', channel: 'webhook' });
    await sc.rt.campaigns.enqueue([message('unsub2:g-unsub', 'g-unsub'), message('unsub3:g-unsub', 'g-unsub', 'inapp')]);
    assert.equal(await sc.rt.campaigns.deliverNow(), 1);
    assert.deepEqual(await statusOf('unsub2:g-unsub').then((s) => [s.status, s.reason]), ['suppressed', 'unsubscribed']);
    assert.equal((await statusOf('unsub3:g-unsub')).status, 'sent');
  });

  it('frequency caps: 2 per channel and 4 in all per person within 24 h, across campaigns and journeys; the window rolls', async () => {
    const ids = ['cap1', 'cap2', 'cap3'].map((s) => `${s}:g-cap`);
    await sc.rt.campaigns.enqueue(ids.map((id) => message(id, 'g-cap')));
    assert.equal(await sc.rt.campaigns.deliverNow(), 2);
    assert.deepEqual((await Promise.all(ids.map(statusOf))).map((s) => s.status).sort(), ['sent', 'sent', 'suppressed']);
    assert.equal((await Promise.all(ids.map(statusOf))).find((s) => s.status === 'suppressed')!.reason, 'frequency_cap');
    // the same day, two more on another channel fill the cap across channels; a fifth on a third channel is held back
    await sc.rt.campaigns.enqueue([message('cap4:g-cap', 'g-cap', 'inapp'), message('cap5:g-cap', 'g-cap', 'inapp')]);
    assert.equal(await sc.rt.campaigns.deliverNow(), 2);
    await sc.rt.campaigns.enqueue([message('cap6:g-cap', 'g-cap', 'coupon', { content: { body: { 'zh-CN': '券' } } })]);
    assert.equal(await sc.rt.campaigns.deliverNow(), 0);
    assert.deepEqual(await statusOf('cap6:g-cap').then((s) => [s.status, s.reason]), ['suppressed', 'frequency_cap']);
    // a day later the window has rolled past the first sends
    clock += DAY + HOUR;
    await sc.rt.campaigns.enqueue([message('cap7:g-cap', 'g-cap', 'webhook', { notBefore: new Date(clock).toISOString() })]);
    assert.equal(await sc.rt.campaigns.deliverNow(), 1);
    clock -= DAY + HOUR;
  });

  it('quiet hours: at 23:00 in Shanghai a Shanghai person waits until 08:00 their time while a New York person (10:00) gets it now', async () => {
    clock = Date.parse('2026-11-24T15:00:00Z');
    const ids = ['quiet:g-sh', 'quiet:g-ny'];
    await sc.rt.campaigns.enqueue([message(ids[0]!, 'g-sh'), message(ids[1]!, 'g-ny')]);
    assert.equal(await sc.rt.campaigns.deliverNow(), 1);
    assert.deepEqual(received.filter((r) => r.id.startsWith('quiet:')).map((r) => r.userId), ['g-ny']);
    const waiting = await statusOf('quiet:g-sh');
    assert.equal(waiting.status, 'queued');
    // 08:00 in Shanghai is 00:00 UTC
    assert.equal(new Date(waiting.not_before).toISOString(), '2026-11-25T00:00:00.000Z');
    clock = Date.parse('2026-11-24T23:59:00Z');
    assert.equal(await sc.rt.campaigns.deliverNow(), 0, 'still quiet at 07:59');
    clock = Date.parse('2026-11-25T00:00:00Z');
    assert.equal(await sc.rt.campaigns.deliverNow(), 1);
    assert.deepEqual(received.filter((r) => r.id === 'quiet:g-sh').map((r) => new Date(r.at).toISOString()), ['2026-11-25T00:00:00.000Z']);
    const [attempts] = await sc.rt.oltp.query<{ attempts: number }>(`SELECT attempts FROM campaign_messages WHERE id = 'quiet:g-sh'`);
    assert.equal(attempts!.attempts, 1, 'waiting out quiet hours is not a failed attempt');
    clock = Date.parse('2026-11-24T04:00:00Z');
  });

  it('erased persons: nothing is queued for them any more', async () => {
    await sc.rt.privacy.erase('g-erased', { actor: 'test', role: 'admin' });
    const r = await sc.rt.campaigns.enqueue([message('erased:g-erased', 'g-erased')]);
    assert.deepEqual(r, { queued: 0, suppressed: 1, duplicates: 0 });
    assert.equal(await sc.rt.campaigns.deliverNow(), 0);
    assert.deepEqual(await statusOf('erased:g-erased').then((s) => [s.status, s.reason]), ['suppressed', 'erased']);
    const who = await sc.rt.campaigns.loadRecipients(['g-erased']);
    assert.equal(who.get('g-erased')!.erased, true);
  });
});
