import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/server/app.ts';
import { DAY, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * /metrics covers what an operator watches: ingestion (messages by outcome, the writer's queue), build
 * durations (tags, segments, model training), segment/tag freshness after live events. Each figure is read
 * after the work that moves it, and checked against that work.
 */
let sc: Scenario;
before(async () => {
  sc = await openScenario({ prefix: 'hx-metrics-' });
});
after(async () => sc?.close());

function sample(text: string, name: string, labels = ''): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
}

describe('/metrics', () => {
  it('reports ingestion, build durations and freshness after the work that moves them', async () => {
    const { app } = await buildApp(sc.rt);
    try {
      const now = Date.now();
      await send(sc.rt, ['m-1', 'm-2', 'm-3'].map((u, i) => msg.track(u, 'Order Completed', now - DAY + i, { order_id: `o-${u}`, revenue: 10 })));
      await sc.rt.tags.live.settled();
      await sc.rt.tags.build({ trigger: 'test' });
      await sc.rt.segments.create({ name: 'buyers', description: '', kind: 'dynamic', rule: { event: 'Order Completed' } } as never, 'test');
      await sc.rt.segments.evaluateAll('test');
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(res.statusCode, 200);
      const text = res.body;
      assert.equal(sample(text, 'hx_build_seconds_count', '{job="tags"}'), 1);
      assert.equal(sample(text, 'hx_build_seconds_count', '{job="segments"}'), 1);
      assert.ok((sample(text, 'hx_live_freshness_seconds_count') ?? 0) >= 1, 'a live refresh was observed');
      assert.ok(text.includes('hx_ingest_messages_total'), 'ingestion counter');
      assert.equal(sample(text, 'hx_ingest_queue_rows'), 0, 'the writer queue is drained');
      assert.ok(text.includes('# TYPE hx_tag_refresh_seconds histogram'));
      assert.ok(text.includes('hx_process_cpu_seconds_total'), 'process metrics');
    } finally {
      await app.close();
    }
  });
});
