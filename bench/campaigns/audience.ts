/**
 * Campaign audience figures (issue 8: an audience of 1M users resolved and queued ≤ 30 s):
 * builds its own audience of --people persons in a few seconds — a static segment written straight into
 * ClickHouse (`--kind segment`, the default) or an uploaded list of user ids known to the identity map
 * (`--kind list`) — then times `startRun`: the audience resolved, everyone assigned to the 10% holdout or
 * one of two variants (in ClickHouse for a segment, with assignArm in TypeScript for a list), one
 * campaign_assignments row each, and the treated queued in campaign_messages.
 *
 *   node bin/run-ts.js bench/campaigns/audience.ts [--people 1000000] [--kind segment|list] [--pg URL|start] [--data DIR]
 */
import { parseArgs } from 'node:util';
import { benchRuntime, line, secs } from './lib.ts';

const { values } = parseArgs({ options: { people: { type: 'string' }, kind: { type: 'string' }, pg: { type: 'string' }, data: { type: 'string' } } });
const N = Number(values.people ?? 1_000_000);
const kind = (values.kind ?? 'segment') as 'segment' | 'list';
if (kind !== 'segment' && kind !== 'list') throw new Error('--kind is segment or list');

const { rt, close } = await benchRuntime({ data: values.data, pg: values.pg });
try {
  const t0 = performance.now();
  const run = `b${Date.now().toString(36)}`;
  let audience: { kind: 'segment'; segmentId: string } | { kind: 'list'; userIds: string[] };
  if (kind === 'segment') {
    const seg = await rt.segments.create({ name: `bench audience ${run}`, description: 'campaign bench', kind: 'static', ids: [] }, 'bench');
    await rt.olap.command(
      `INSERT INTO ${rt.olap.db}.segment_members (segment_id, person_id, is_member, version, changed_at)
       SELECT {s:String}, concat({p:String}, toString(number)), 1, 1, now64(3) FROM numbers({n:UInt64})`,
      { s: seg.id, p: `${run}-p`, n: N },
    );
    audience = { kind: 'segment', segmentId: seg.id };
  } else {
    const ids = Array.from({ length: N }, (_, i) => `${run}-u${i}`);
    for (let off = 0; off < N; off += 100_000) {
      const part = ids.slice(off, off + 100_000);
      await rt.oltp.query(`INSERT INTO identities (distinct_id, person_id, kind) SELECT d, d, 'user' FROM unnest($1::text[]) AS d`, [part]);
    }
    audience = { kind: 'list', userIds: ids };
  }
  line('campaigns-audience', { step: 'setup', kind, people: N, seconds: secs(performance.now() - t0) });

  const c = await rt.campaigns.store.create({
    id: `bench-${run}`, name: 'bench', owner: 'bench', channel: 'webhook', audience,
    variants: [
      { name: 'A', weight: 1, content: { subject: { 'zh-CN': '限时优惠' }, body: { 'zh-CN': '您好 {{traits.name}}，双十一优惠来啦：{{coupon.code}}' } } },
      { name: 'B', weight: 1, content: { subject: { 'zh-CN': '专属推荐' }, body: { 'zh-CN': '为您精选的商品已上新' } } },
    ],
    experiment: { holdout: 0.1 },
  }, 'bench');
  const t1 = performance.now();
  const r = await rt.campaigns.startRun(c.id, { actor: 'bench' });
  const seconds = (performance.now() - t1) / 1000;
  line('campaigns-audience', {
    step: 'resolve+assign+queue', kind, people: N, audience: r.audience, control: r.control, treated: r.treated, queued: r.queued,
    seconds: Math.round(seconds * 1000) / 1000, perSecond: Math.round(r.audience / seconds), store: rt.oltp.kind, target: 'audience of 1M ≤ 30 s',
  });
} finally {
  await close();
}
