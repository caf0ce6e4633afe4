// Shares bring visits and orders that can be attributed, and KOLs' shares convert better.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orders, sampleWorld, STATS_WORLD } from './testing.ts';

const w = sampleWorld(STATS_WORLD);
const msgs = [...w.messages, ...w.futureMessages];

test('KOL shares convert more than ordinary shares', () => {
  const sharer = new Map<string, string>();
  for (const m of msgs) {
    if (m.event === 'Product Shared' && m.userId) sharer.set((m.properties as { share_id: string }).share_id, m.userId);
  }
  const converted = new Set(orders(msgs).map((o) => o.props.share_id as string | undefined).filter(Boolean));
  const rate = { kol: [0, 0], ordinary: [0, 0] };
  for (const [shareId, u] of sharer) {
    const r = w.social.get(u)!.isKol ? rate.kol : rate.ordinary;
    r[0]++;
    if (converted.has(shareId)) r[1]++;
  }
  assert.ok(rate.kol[0] > 50 && rate.ordinary[0] > 50, `enough shares ${JSON.stringify(rate)}`);
  const kol = rate.kol[1] / rate.kol[0];
  const ordinary = rate.ordinary[1] / rate.ordinary[0];
  assert.ok(kol > 1.5 * ordinary, `KOL conversion ${kol.toFixed(3)} vs ordinary ${ordinary.toFixed(3)}`);
});

test('share visits carry the share id for attribution', () => {
  const shared = new Map<string, string>();
  for (const m of msgs) {
    if (m.event === 'Product Shared') {
      const p = m.properties as { share_id: string; recipient: string };
      shared.set(p.share_id, p.recipient);
    }
  }
  let visits = 0;
  for (const m of msgs) {
    const c = (m.context as { campaign?: { name: string; content?: string } }).campaign;
    if (c?.name !== 'share') continue;
    visits++;
    assert.ok(shared.has(c.content!), 'campaign.content names a real share');
    if (m.userId) assert.equal(m.userId, shared.get(c.content!), 'the visitor is the recipient');
  }
  assert.ok(visits > 20, `share visits seen (${visits})`);
  const truthOrders = [...w.social.values()].reduce((a, s) => a + (s.shareOrders as number), 0);
  assert.ok(truthOrders > 0, 'truth/social.jsonl counts share-driven orders');
});
