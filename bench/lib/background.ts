// Open-loop background load for the freshness benchmarks: a /v1/batch of Product Viewed events for known
// people every 100 ms at `rate` events/s, whether or not earlier batches were answered. When 20 requests
// are in flight the tick is skipped and counted as not sent (the server is not keeping up).

export interface BackgroundLoad {
  /** events offered so far */
  readonly sent: number;
  /** events the server acknowledged */
  readonly acked: number;
  /** events refused, failed, or skipped because the server fell behind */
  readonly failed: number;
  /** stops offering and waits for the requests in flight */
  stop(): Promise<void>;
}

export function startBackgroundLoad(o: { url: string; headers: Record<string, string>; users: readonly string[]; rate: number; run: string }): BackgroundLoad {
  const perTick = Math.round(o.rate / 10);
  const state = { sent: 0, acked: 0, failed: 0 };
  let seq = 0;
  const body = () => JSON.stringify({
    batch: Array.from({ length: perTick }, () => {
      const u = o.users[Math.floor(Math.random() * o.users.length)]!;
      return { type: 'track', event: 'Product Viewed', userId: u, messageId: `${o.run}.${seq++}`, timestamp: new Date().toISOString(),
        properties: { product_id: `p_${String(1 + (seq % 2000)).padStart(6, '0')}`, price: 99, category: '服装/女装/连衣裙', brand: '简屿' } };
    }),
  });
  const inflight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    if (perTick === 0) return;
    if (inflight.size > 20) return void (state.failed += perTick);
    const p = fetch(`${o.url}/v1/batch`, { method: 'POST', headers: o.headers, body: body() })
      .then(async (r) => { await r.arrayBuffer(); if (r.ok) state.acked += perTick; else state.failed += perTick; })
      .catch(() => void (state.failed += perTick))
      .finally(() => inflight.delete(p));
    inflight.add(p);
    state.sent += perTick;
  }, 100);
  return {
    get sent() { return state.sent; },
    get acked() { return state.acked; },
    get failed() { return state.failed; },
    async stop() {
      clearInterval(timer);
      await Promise.all(inflight);
    },
  };
}
