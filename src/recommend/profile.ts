import type { OlapStore } from '../store/olap/index.ts';
import { emptyProfile, type Catalog, type Interactions, type Profile } from './types.ts';

/**
 * The profile tags the ranker reads (src/tags/builtin): preferences (top_categories, top_category_groups,
 * top_brands), price (price_band, price_sensitive), shopper types (brand_loyal, trend_seeker), the
 * lifecycle stage and the city tier. Read in bulk at training and again for people whose events arrive.
 */
export const PROFILE_TAGS = [
  'top_categories', 'top_category_groups', 'top_brands', 'price_band', 'price_sensitive', 'brand_loyal', 'trend_seeker', 'lifecycle_stage', 'city_tier',
  'consent_personalization',
] as const;

interface Row {
  person_id: string;
  tag_code: string;
  value_num: number | null;
  value_str: string;
  value_list: string[];
  value_weights: number[];
}

/** Current tag values of everyone (or of `persons`), latest version of each, tombstones dropped. */
export async function loadProfiles(olap: OlapStore, persons?: readonly string[]): Promise<Map<string, Profile>> {
  const only = persons ? 'AND person_id IN {persons:Array(String)}' : '';
  // a few people's values from the copy sorted by person; everyone's from the table sorted by tag
  const table = persons ? 'tag_values_by_person' : 'tag_values';
  const rows = await olap.query<Row>(
    `SELECT person_id, tag_code, argMax(value_num, version) AS value_num, argMax(value_str, version) AS value_str,
            argMax(value_list, version) AS value_list, argMax(value_weights, version) AS value_weights
     FROM ${olap.db}.${table} WHERE tag_code IN {codes:Array(String)} ${only}
     GROUP BY person_id, tag_code HAVING argMax(is_deleted, version) = 0`,
    { codes: PROFILE_TAGS, persons: persons ?? [] },
  );
  const out = new Map<string, Profile>();
  for (const r of rows) {
    let p = out.get(r.person_id);
    if (!p) out.set(r.person_id, (p = emptyProfile()));
    apply(p, r);
  }
  return out;
}

/**
 * Preferences derived from interactions alone, the way the preference tags define them (decayed weights
 * of views, wishlist, cart and orders per category, department and brand; the price band from the
 * weighted price position). Evaluation uses them when the stored tags were built after the cut, so that
 * no value computed from the test period reaches the ranker; the city tier and shopper types, which
 * such a build would leak less, are then left out.
 */
export function derivedProfiles(c: Catalog, x: Interactions): Map<string, Profile> {
  const out = new Map<string, Profile>();
  for (let u = 0; u < x.persons.length; u++) {
    const cat = new Map<string, number>();
    const dept = new Map<string, number>();
    const brand = new Map<string, number>();
    let pct = 0;
    let wp = 0;
    for (let t = x.ptr[u]!; t < x.ptr[u + 1]!; t++) {
      const i = x.item[t]!;
      const w = x.weight[t]!;
      if (c.category[i]) cat.set(c.category[i]!, (cat.get(c.category[i]!) ?? 0) + w);
      if (c.top[i]) dept.set(c.top[i]!, (dept.get(c.top[i]!) ?? 0) + w);
      if (c.brand[i]) brand.set(c.brand[i]!, (brand.get(c.brand[i]!) ?? 0) + w);
      if (!Number.isNaN(c.price[i]!)) {
        pct += w * c.pricePct[i]!;
        wp += w;
      }
    }
    const topN = (m: Map<string, number>, n: number) => {
      const l = [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
      return shares(l.map((e) => e[0]), l.map((e) => e[1]));
    };
    const p = emptyProfile();
    p.categories = topN(cat, 5);
    p.departments = topN(dept, 3);
    p.brands = topN(brand, 5);
    if (wp > 0) p.priceBand = pct / wp < 0.35 ? 'low' : pct / wp < 0.65 ? 'mid' : 'high';
    p.consent = true;
    out.set(x.persons[u]!, p);
  }
  return out;
}

function shares(list: string[], weights: number[]): Map<string, number> {
  const total = weights.reduce((a, b) => a + Number(b), 0) || 1;
  return new Map(list.map((v, i) => [v, Number(weights[i] ?? 0) / total]));
}

function apply(p: Profile, r: Row): void {
  const flag = Number(r.value_num) === 1;
  switch (r.tag_code) {
    case 'top_categories': p.categories = shares(r.value_list, r.value_weights); break;
    case 'top_category_groups': p.departments = shares(r.value_list, r.value_weights); break;
    case 'top_brands': p.brands = shares(r.value_list, r.value_weights); break;
    case 'price_band': p.priceBand = r.value_str === 'low' || r.value_str === 'mid' || r.value_str === 'high' ? r.value_str : null; break;
    case 'price_sensitive': p.priceSensitive = flag; break;
    case 'brand_loyal': p.brandLoyal = flag; break;
    case 'trend_seeker': p.trendSeeker = flag; break;
    case 'lifecycle_stage': p.lifecycle = r.value_str || null; break;
    case 'city_tier': p.cityTier = r.value_str || null; break;
    case 'consent_personalization': p.consent = flag; break;
  }
}
