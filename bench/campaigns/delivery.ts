/**
 * Delivery pipeline throughput (issue 8: ≥ 2,000 messages/s to a local webhook receiver): --messages people
 * made through the ingestion pipeline (consent, email), one campaign to all of them on the webhook channel
 * (the signed-webhook adapter of src/campaigns/channels/webhook.ts, posting to a receiver this script
 * starts on loopback), then the queue drained: claim in batches, recipients loaded, guard rails, render,
 * rate-limited sends (the webhook's rate lifted for the bench), outcomes written. Caps and quiet hours are
 * off so every message is sent.
 *
 *   node bin/run-ts.js bench/campaigns/delivery.ts [--messages 20000] [--concurrency 64] [--pg URL|start]
 */
import { parseArgs } from 'node:util';
import { createChannels } from '../../src/campaigns/channels/index.ts';
import { benchRuntime, line, makePeople, secs, startReceiver } from './lib.ts';

const { values } = parseArgs({ options: { messages: { type: 'string' }, concurrency: { type: 'string' }, pg: { type: 'string' } } });
const N = Number(values.messages ?? 20_000);
const concurrency = Number(values.concurrency ?? 64);

const receiver = await startReceiver();
const { rt, close } = await benchRuntime({ pg: values.pg, campaigns: { quietHours: 'off', capPerChannel: 0, capAll: 0, concurrency } });
try {
  rt.campaigns.channels = createChannels(rt, { webhook: { url: receiver.url, secret: 'bench-secret-0123456789abcdef', ratePerSecond: 1_000_000 } });
  let t = performance.now();
  const people = await makePeople(rt, 'bd-', N);
  line('campaigns-delivery', { step: 'setup', people: N, seconds: secs(performance.now() - t) });
  const c = await rt.campaigns.store.create({
    id: 'bench-delivery', name: 'bench', owner: 'bench', channel: 'webhook', audience: { kind: 'list', userIds: people },
    variants: [{ name: 'A', weight: 1, content: { subject: { 'zh-CN': '限时优惠' }, body: { 'zh-CN': '您好，双十一优惠来啦 {{unsubscribeUrl}}' }, url: 'https://shop.example/sale' } }],
    experiment: { holdout: 0 },
  }, 'bench');
  t = performance.now();
  const run = await rt.campaigns.startRun(c.id, { actor: 'bench' });
  line('campaigns-delivery', { step: 'queued', queued: run.queued, seconds: secs(performance.now() - t) });
  t = performance.now();
  const sent = await rt.campaigns.deliverNow();
  const seconds = (performance.now() - t) / 1000;
  line('campaigns-delivery', {
    step: 'delivered', sent, received: receiver.count(), seconds: Math.round(seconds * 1000) / 1000,
    messagesPerSecond: Math.round(sent / seconds), concurrency, store: rt.oltp.kind, target: '≥ 2,000 messages/s',
  });
} finally {
  await close();
  await receiver.close();
}
