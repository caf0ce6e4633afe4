import { breakdownSql } from '../analytics/breakdown.ts';
import type { Config } from '../config.ts';
import type { Runtime } from '../runtime.ts';
import type { TagDef } from '../tags/index.ts';

/**
 * Algorithm transparency and fairness (docs/privacy.md, "Transparency and fairness"):
 * - what each tag and model reads, in plain words, with its sensitive inputs found by walking its
 *   definition (tags read through other tags count too);
 * - a policy check: sensitive attributes must not feed tags of a forbidden purpose, nor the rules of the
 *   segments campaigns target;
 * - exposure across groups: who each campaign reached against the population, and what the
 *   recommendations show each group.
 */

/** The attributes treated as sensitive: tags and the traits they come from. */
export const SENSITIVE = ['gender', 'age', 'age_band', 'birthday', 'city_tier'] as const;

/** Where sensitive attributes may not be used; purposes not listed may use them. */
export interface FairnessPolicy {
  /** per tag purpose: the sensitive attributes its tags must not read */
  tagPurposes: Partial<Record<'analytics' | 'personalization' | 'marketing', string[]>>;
  /** sensitive attributes a campaign's audience rule must not select on */
  campaignAudiences: string[];
}

export const DEFAULT_POLICY: FairnessPolicy = {
  tagPurposes: { marketing: ['gender', 'age', 'age_band', 'birthday'] },
  campaignAudiences: ['gender', 'age', 'age_band', 'birthday'],
};

/**
 * The policy in force: `privacy.fairness` (HX_FAIRNESS_POLICY, inline JSON or a file, checked when the
 * configuration loads: an unknown purpose or attribute is refused with its path), else DEFAULT_POLICY.
 */
export const policyOf = (config: Pick<Config, 'privacy'>): FairnessPolicy => config.privacy.fairness ?? DEFAULT_POLICY;

const sensitive = new Set<string>(SENSITIVE);

/** Tag codes and trait names a definition (tag spec or segment rule) refers to directly. */
export function references(spec: unknown): { tags: Set<string>; traits: Set<string> } {
  const tags = new Set<string>();
  const traits = new Set<string>();
  const walk = (x: unknown) => {
    if (Array.isArray(x)) for (const v of x) walk(v);
    else if (x && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) {
        if (k === 'tag' && typeof v === 'string') tags.add(v);
        else if (k === 'trait' && typeof v === 'string') traits.add(v.split('.')[0]!);
        else walk(v);
      }
    }
  };
  walk(spec);
  return { tags, traits };
}

/** The sensitive attributes a definition reads, directly or through the tags it reads. */
export function sensitiveInputs(spec: unknown, defs: ReadonlyMap<string, Pick<TagDef, 'spec' | 'code'>>, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  const r = references(spec);
  for (const t of r.traits) if (sensitive.has(t)) out.add(t);
  for (const code of r.tags) {
    if (sensitive.has(code)) out.add(code);
    const def = defs.get(code);
    if (def && !seen.has(code)) {
      seen.add(code);
      for (const s of sensitiveInputs(def.spec, defs, seen)) out.add(s);
    }
  }
  return out;
}

export interface TagExplanation {
  code: string;
  name_zh: string;
  name_en: string;
  kind: string;
  purpose: string;
  description: string;
  reads: { tags: string[]; traits: string[] };
  sensitiveInputs: string[];
}

export interface PolicyFinding {
  kind: 'tag' | 'campaign';
  id: string;
  name: string;
  /** the tag's purpose, or the segment a campaign targets */
  context: string;
  attributes: string[];
}

export async function explainTags(rt: Pick<Runtime, 'tags'>): Promise<TagExplanation[]> {
  const defs = await rt.tags.taxonomy.definitions();
  return [...defs.values()]
    .map((d) => {
      const r = references(d.spec);
      return {
        code: d.code, name_zh: d.name_zh, name_en: d.name_en, kind: d.kind, purpose: d.purpose, description: d.description,
        reads: { tags: [...r.tags].sort(), traits: [...r.traits].sort() },
        sensitiveInputs: [...sensitiveInputs(d.spec, defs)].sort(),
      };
    })
    .sort((a, b) => a.code.localeCompare(b.code));
}

/** Every use of a sensitive attribute the policy forbids: tags of a forbidden purpose, campaigns targeting by one. */
export async function policyCheck(rt: Pick<Runtime, 'tags' | 'segments' | 'campaigns'>, policy: FairnessPolicy = DEFAULT_POLICY): Promise<{ policy: FairnessPolicy; source: 'configuration' | 'default'; violations: PolicyFinding[]; checked: { tags: number; campaigns: number } }> {
  const defs = await rt.tags.taxonomy.definitions();
  const violations: PolicyFinding[] = [];
  for (const d of defs.values()) {
    const forbidden = new Set(policy.tagPurposes[d.purpose as keyof FairnessPolicy['tagPurposes']] ?? []);
    const hit = [...sensitiveInputs(d.spec, defs)].filter((a) => forbidden.has(a));
    if (hit.length) violations.push({ kind: 'tag', id: d.code, name: d.name_en, context: `purpose ${d.purpose}`, attributes: hit.sort() });
  }
  const campaigns = await rt.campaigns.store.list();
  const forbidden = new Set(policy.campaignAudiences);
  const segments = new Map((await rt.segments.store.list()).map((s) => [s.id, s]));
  for (const c of campaigns) {
    if (c.status === 'cancelled' || c.audience.kind === 'list') continue;
    const seg = segments.get(c.audience.segmentId);
    if (!seg?.rule) continue;
    const hit = [...sensitiveInputs(seg.rule, defs)].filter((a) => forbidden.has(a));
    if (hit.length) violations.push({ kind: 'campaign', id: c.id, name: c.name, context: `segment ${seg.id} (${seg.name})`, attributes: hit.sort() });
  }
  return { policy, source: policy === DEFAULT_POLICY ? 'default' : 'configuration', violations, checked: { tags: defs.size, campaigns: campaigns.length } };
}

export interface GroupShare {
  group: string;
  /** share of the population (people with the tag) */
  population: number;
  /** share of the campaign's treated audience */
  reached: number;
  /** reached / population: 1 is proportional */
  ratio: number | null;
}

/** Who each campaign's treated audience is, by a sensitive tag, against the whole population. */
export async function campaignExposure(rt: Pick<Runtime, 'olap' | 'campaigns'>, by: string): Promise<{ by: string; campaigns: { id: string; name: string; treated: number; groups: GroupShare[] }[] }> {
  const db = rt.olap.db;
  const bd = breakdownSql(db, { by: 'tag', tag: by });
  const rows = await rt.olap.query<{ campaign_id: string; grp: string; n: string }>(
    `SELECT campaign_id, ifNull(bd.grp, '') AS grp, uniqExact(a.person_id) AS n
     FROM (SELECT campaign_id, person_id FROM ${db}.campaign_assignments WHERE arm != 'control') AS a
     LEFT JOIN ${bd.sql} AS bd ON bd.person_id = a.person_id
     GROUP BY campaign_id, grp`,
    bd.params,
  );
  const pop = await rt.olap.query<{ grp: string; n: string }>(`SELECT ifNull(grp, '') AS grp, count() AS n FROM ${bd.sql} GROUP BY grp`, bd.params);
  const popTotal = pop.reduce((a, r) => a + Number(r.n), 0);
  const popShare = new Map(pop.map((r) => [r.grp || '(none)', popTotal ? Number(r.n) / popTotal : 0]));
  const byCampaign = new Map<string, { grp: string; n: number }[]>();
  for (const r of rows) {
    const g = byCampaign.get(r.campaign_id) ?? [];
    g.push({ grp: r.grp || '(none)', n: Number(r.n) });
    byCampaign.set(r.campaign_id, g);
  }
  const names = new Map((await rt.campaigns.store.list()).map((c) => [c.id, c.name]));
  return {
    by,
    campaigns: [...byCampaign].map(([id, gs]) => {
      const treated = gs.reduce((a, g) => a + g.n, 0);
      const groups = [...new Set([...popShare.keys(), ...gs.map((g) => g.grp)])].sort().map((group) => {
        const reached = treated ? (gs.find((g) => g.grp === group)?.n ?? 0) / treated : 0;
        const population = popShare.get(group) ?? 0;
        return { group, population, reached, ratio: population > 0 ? reached / population : null };
      });
      return { id, name: names.get(id) ?? id, treated, groups };
    }),
  };
}

/** What the recommendations show each group: a sample of people per group value, their home-page lists. */
export async function recommendationExposure(rt: Pick<Runtime, 'olap' | 'recommend'>, by: string, perGroup = 50): Promise<{ by: string; groups: { group: string; people: number; personalised: number; meanPrice: number | null; topCategories: { category: string; share: number }[] }[] }> {
  const db = rt.olap.db;
  const bd = breakdownSql(db, { by: 'tag', tag: by });
  const sample = await rt.olap.query<{ grp: string; persons: string[] }>(
    `SELECT grp, groupArraySample({k:UInt32}, 7)(person_id) AS persons FROM ${bd.sql} WHERE grp != '' GROUP BY grp ORDER BY grp`,
    { ...bd.params, k: perGroup },
  );
  const groups = [];
  for (const g of sample) {
    let slots = 0;
    let personal = 0;
    let priceSum = 0;
    let priced = 0;
    const cats = new Map<string, number>();
    for (const p of g.persons) {
      const r = await rt.recommend.forUser(p, { limit: 10, explore: 0 });
      for (const i of r.items) {
        slots++;
        if (i.becauseOf || !['popular', 'trending'].includes(i.source)) personal++;
        if (i.price !== null) (priceSum += i.price), priced++;
        const top = i.category.split('/')[0] || '(none)';
        cats.set(top, (cats.get(top) ?? 0) + 1);
      }
    }
    groups.push({
      group: g.grp,
      people: g.persons.length,
      personalised: slots ? personal / slots : 0,
      meanPrice: priced ? priceSum / priced : null,
      topCategories: [...cats].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([category, n]) => ({ category, share: n / slots })),
    });
  }
  return { by, groups };
}
