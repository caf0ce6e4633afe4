import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Ingestion counters exposed at /metrics. */
export function ingestMetrics(registry: Registry) {
  return {
    messages: new Counter({
      name: 'hx_ingest_messages_total',
      help: 'Messages by outcome: stored, duplicate, rejected',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    queueRows: new Gauge({ name: 'hx_ingest_queue_rows', help: 'Rows waiting for the batching writer', registers: [registry] }),
    insertSeconds: new Histogram({
      name: 'hx_ingest_flush_seconds',
      help: 'Time for one writer flush (dedupe check, identity, insert)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    overloaded: new Counter({ name: 'hx_ingest_overloaded_total', help: 'Requests answered 503 because the queue was full', registers: [registry] }),
  };
}

export type IngestMetrics = ReturnType<typeof ingestMetrics>;
