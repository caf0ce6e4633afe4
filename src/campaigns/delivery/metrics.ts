import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { OltpStore } from '../../store/oltp/index.ts';

export interface DeliveryMetrics {
  messages: Counter<'channel' | 'status'>;
  latency: Histogram<'channel'>;
}

/** Prometheus metrics of the delivery pipeline (at /metrics): outcomes by channel, queue depth, send latency. */
export function deliveryMetrics(registry: Registry, oltp: OltpStore): DeliveryMetrics {
  const messages = new Counter({
    name: 'hx_campaign_messages_total', help: 'Campaign and journey messages by channel and outcome (sent, failed, suppressed, retried, deferred)',
    labelNames: ['channel', 'status'], registers: [registry],
  });
  const latency = new Histogram({
    name: 'hx_campaign_send_seconds', help: 'Time a channel adapter took to accept one message', labelNames: ['channel'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
  });
  new Gauge({
    name: 'hx_campaign_queue_depth', help: 'Messages waiting in the delivery queue (queued, including those not due yet)', labelNames: ['channel'], registers: [registry],
    async collect() {
      this.reset();
      const rows = await oltp.query<{ channel: string; n: number | string }>(`SELECT channel, count(*) AS n FROM campaign_messages WHERE status = 'queued' GROUP BY channel`);
      for (const r of rows) this.set({ channel: r.channel }, Number(r.n));
    },
  });
  return { messages, latency };
}
