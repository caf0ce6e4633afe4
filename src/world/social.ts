// Sharing (分享). A share goes to a friend (a stable, hash-derived circle per person, so no graph is
// stored) or, for KOLs (达人), to any follower. The recipient may visit hours later through the
// share link: that visit carries context.campaign.content = share_id and the share_id on its
// order, so share-driven conversions can be attributed. True influence is a hidden trait.

import { HOUR } from './calendar.ts';
import { priceAt, type Item } from './catalog.ts';
import { EV } from './encode.ts';
import type { Person } from './people.ts';
import { hashUnit } from './random.ts';
import { entry, SHARE, type Sim } from './sim.ts';
import type { Visit } from './visit.ts';

export const SHARE_VIA = ['wechat', 'wechat_moments', 'qq', 'weibo', 'xiaohongshu', 'link'];
const VIA_WEIGHTS = [0.45, 0.15, 0.1, 0.1, 0.12, 0.08];
const FRIENDS = 12;

/** Chance to share one viewed item: grows with social reach, KOLs share a lot. */
export function shareChance(u: Person): number {
  return Math.min(0.3, 0.004 * u.socialReach);
}

function recipientOf(sim: Sim, u: Person): Person {
  const n = sim.people.length;
  if (u.isKol) return sim.people[sim.rng.int(n)];
  const j = sim.rng.int(FRIENDS);
  return sim.people[Math.floor(hashUnit(u.index, j, sim.seedHash) * n)];
}

export function share(sim: Sim, v: Visit, item: Item): void {
  const { rng } = sim;
  const u = v.u;
  const to = recipientOf(sim, u);
  if (to === u) return;
  const shareId = `s_${u.index + 1}_${++u.sharesSent}`;
  const via = SHARE_VIA[rng.weighted(VIA_WEIGHTS)];
  v.step(2, 15);
  v.track(EV.shared,
    `{"share_id":"${shareId}","share_via":"${via}","recipient":"${to.userId}",${item.frag},"price":${priceAt(item, v.promo !== null)}}`);
  // The recipient clicks through if active, more often for an influential sharer.
  const t = v.t;
  if (to.firstSeenAt > t || to.churnAt <= t) return;
  if (!rng.chance(0.15 + 0.75 * u.influence)) return;
  const at = t + Math.floor(rng.lognormal(2, 1.2) * HOUR);
  sim.schedule(at, entry(SHARE, to, item.top, item.index, shareId, u, via));
}
