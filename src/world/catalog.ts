// Builds the shop's catalog from the literal tree: categories (3 levels), brands per top category,
// and items with prices drawn per category and adjusted by brand tier. Also builds the lookup
// tables the behaviour model samples from, so per-event work stays a few array reads.

import { ADJECTIVES, BRANDS, COLOURS, hasColour, materialsFor, type Vocab } from './brandData.ts';
import { TOP_CATEGORIES, type TopCategoryDef } from './catalogData.ts';
import { wire } from './encode.ts';
import { Rng, cumulative } from './random.ts';

export type BrandTier = 'premium' | 'mid' | 'budget';

export interface Category {
  id: string;
  index: number;
  level: 1 | 2 | 3;
  parent: string | null;
  zh: string;
  en: string;
  pathZh: string;
  pathEn: string;
  top: number;
  /** Leaves only: words shoppers type to find it. */
  keywords: string[];
  /** Wire-encoded JSON string of pathZh (see encode.ts). */
  pathJson: string;
  /** Median list price of the category (level 2 and 3). */
  medianPrice: number;
}

export interface Brand {
  index: number;
  zh: string;
  en: string;
  tier: BrandTier;
  top: number;
  priceMult: number;
  popularity: number;
}

export interface Item {
  index: number;
  id: string;
  sku: string;
  nameZh: string;
  nameEn: string;
  brand: number;
  leaf: number;
  top: number;
  price: number;
  /** Fraction taken off during promotion days (list price stays the truth). */
  promoMarkdown: number;
  launchAt: number;
  stock: number;
  colour: Vocab | null;
  material: Vocab | null;
  /** ln(price / category median): the price position shoppers weigh. */
  logRel: number;
  /** Hidden quality in [0,1]: drives review ratings. */
  quality: number;
  popularity: number;
  /** Pre-escaped, wire-encoded JSON fragment of the product fields, reused by every event. */
  frag: string;
  /** Pre-escaped JSON string of the category path. */
  categoryJson: string;
}

export interface Catalog {
  tops: TopCategoryDef[];
  categories: Category[];
  brands: Brand[];
  items: Item[];
  /** Per top category: its leaf category indexes and their cumulative popularity. */
  leavesByTop: number[][];
  leafCumByTop: Float64Array[];
  /** Per leaf category index: item indexes sorted by launch time, and cumulative popularity. */
  itemsByLeaf: number[][];
  itemCumByLeaf: Float64Array[];
  itemsByBrand: number[][];
  /** Hot per-item fields as typed arrays (struct of arrays): item choice scans these. */
  launchOf: Float64Array;
  logRelOf: Float64Array;
  brandOf: Int32Array;
  /** Per leaf: launch times in the same order as itemsByLeaf (for the "on sale yet?" search). */
  launchByLeaf: Float64Array[];
}

const TIER_MULT: Record<BrandTier, number> = { premium: 2.3, mid: 1, budget: 0.5 };
const TIER_POP: Record<BrandTier, number> = { premium: 0.7, mid: 1.2, budget: 1 };
const DAY = 86_400_000;

/** Round to the way Chinese shops price things: 39.9, 199, 2899. */
export function shopPrice(p: number): number {
  if (p < 20) return Math.max(1.9, Math.round(p * 10) / 10);
  if (p < 200) return Math.floor(p) + 0.9;
  return Math.max(199, Math.round(p / 10) * 10 - 1);
}

function parseBrands(): Map<string, { zh: string; en: string; tier: BrandTier }[]> {
  const out = new Map<string, { zh: string; en: string; tier: BrandTier }[]>();
  for (const [code, s] of Object.entries(BRANDS)) {
    out.set(code, s.split(' ').map((b) => {
      const [zh, en, t] = b.split('|');
      return { zh, en, tier: t === 'p' ? 'premium' : t === 'm' ? 'mid' : 'budget' };
    }));
  }
  return out;
}

function buildTree(): Category[] {
  const cats: Category[] = [];
  const add = (c: Omit<Category, 'index' | 'pathJson'>): Category => {
    const full = { ...c, index: cats.length, pathJson: wire(JSON.stringify(c.pathZh)) };
    cats.push(full);
    return full;
  };
  TOP_CATEGORIES.forEach((top, ti) => {
    const tid = `c${String(ti + 1).padStart(2, '0')}`;
    const t = add({ id: tid, level: 1, parent: null, zh: top.zh, en: top.en, pathZh: top.zh, pathEn: top.en, top: ti, keywords: [], medianPrice: 0 });
    top.subs.forEach(([zh, en, median, , leaves], si) => {
      const sid = `${tid}${String(si + 1).padStart(2, '0')}`;
      const s = add({ id: sid, level: 2, parent: tid, zh, en, pathZh: `${t.pathZh}/${zh}`, pathEn: `${t.pathEn}/${en}`, top: ti, keywords: [], medianPrice: median });
      leaves.split('|').forEach((leaf, li) => {
        const [lzh, len, words] = leaf.split(':');
        add({
          id: `${sid}${String(li + 1).padStart(2, '0')}`, level: 3, parent: sid, zh: lzh, en: len,
          pathZh: `${s.pathZh}/${lzh}`, pathEn: `${s.pathEn}/${len}`, top: ti,
          keywords: [lzh, ...words.split(' ')], medianPrice: median,
        });
      });
    });
  });
  return cats;
}

export interface CatalogOptions {
  items: number;
  /** Window start and end (ms): some items launch inside it as new arrivals. */
  start: number;
  end: number;
}

export function buildCatalog(rng: Rng, opts: CatalogOptions): Catalog {
  const categories = buildTree();
  const brandDefs = parseBrands();
  const brands: Brand[] = [];
  const brandsByTop: number[][] = TOP_CATEGORIES.map(() => []);
  TOP_CATEGORIES.forEach((top, ti) => {
    for (const b of brandDefs.get(top.code) ?? []) {
      const brand: Brand = {
        index: brands.length, zh: b.zh, en: b.en, tier: b.tier, top: ti,
        priceMult: TIER_MULT[b.tier] * rng.lognormal(1, 0.12),
        popularity: TIER_POP[b.tier] * rng.lognormal(1, 0.5),
      };
      brandsByTop[ti].push(brand.index);
      brands.push(brand);
    }
  });

  const leaves = categories.filter((c) => c.level === 3);
  const leafJitter = new Map<number, number>();
  const leafPop = new Map<number, number>();
  for (const l of leaves) {
    leafJitter.set(l.index, rng.lognormal(1, 0.3));
    leafPop.set(l.index, rng.lognormal(1, 0.6) * TOP_CATEGORIES[l.top].alpha);
  }
  const subSigma = (leaf: Category): number => {
    const sub = categories.find((c) => c.id === leaf.parent);
    const def = TOP_CATEGORIES[leaf.top].subs.find((s) => s[0] === sub?.zh);
    return def ? def[3] : 0.5;
  };

  const items: Item[] = [];
  const nItems = Math.max(leaves.length * 4, opts.items);
  const span = opts.end - opts.start;
  for (let i = 0; i < nItems; i++) {
    const leaf = leaves[i % leaves.length];
    const top = TOP_CATEGORIES[leaf.top];
    const bList = brandsByTop[leaf.top];
    const brand = brands[bList[rng.weighted(bList.map((b) => brands[b].popularity))]];
    const kind = top.attrs;
    const colour = hasColour(kind) ? rng.pick(COLOURS) : null;
    const mats = materialsFor(kind);
    const material = mats ? rng.pick(mats) : null;
    const adj = rng.pick(ADJECTIVES[kind]);
    const model = String.fromCharCode(65 + rng.int(26)) + (rng.int(90) + 10);
    const price = shopPrice(leaf.medianPrice * leafJitter.get(leaf.index)! * brand.priceMult * rng.lognormal(1, subSigma(leaf) * 0.7));
    // ~15% of items are new arrivals launched inside the simulated window; the rest are older stock.
    const launchAt = rng.chance(0.15)
      ? opts.start + Math.floor(rng.next() * span)
      : opts.start - Math.floor(rng.uniform(10, 720) * DAY);
    const tierQ = brand.tier === 'premium' ? 1.2 : brand.tier === 'budget' ? -0.6 : 0;
    const quality = 1 / (1 + Math.exp(-(1.3 + tierQ + rng.normal(0, 0.9))));
    const id = `p_${String(i + 1).padStart(6, '0')}`;
    const sku = `SKU${String(i + 1).padStart(6, '0')}-${colour ? colour.en.slice(0, 2).toUpperCase() : 'NA'}`;
    const nameZh = `${brand.zh} ${adj.zh} ${material ? material.zh : ''}${leaf.zh}${colour ? ' ' + colour.zh : ''} ${model}`;
    const nameEn = `${brand.en} ${adj.en} ${material ? material.en + ' ' : ''}${leaf.en}${colour ? ' ' + colour.en : ''} ${model}`;
    const categoryJson = leaf.pathJson;
    const frag = wire(
      `"product_id":"${id}","sku":"${sku}","name":${JSON.stringify(nameZh)},"brand":${JSON.stringify(brand.zh)},` +
      `"category":${JSON.stringify(leaf.pathZh)}${colour ? `,"variant":${JSON.stringify(colour.zh)}` : ''}`);
    items.push({
      index: i, id, sku, nameZh, nameEn, brand: brand.index, leaf: leaf.index, top: leaf.top, price, logRel: Math.log(price / leaf.medianPrice),
      promoMarkdown: Math.round(rng.uniform(0.05, 0.3) * 100) / 100, launchAt,
      stock: Math.round(rng.lognormal(300, 1.2)), colour, material, quality: Math.round(quality * 1000) / 1000,
      popularity: rng.lognormal(1, 1.1) * brand.popularity * (rng.chance(0.05) ? 8 : 1), frag, categoryJson,
    });
  }

  const itemsByLeaf: number[][] = categories.map(() => []);
  const itemsByBrand: number[][] = brands.map(() => []);
  for (const it of items) {
    itemsByLeaf[it.leaf].push(it.index);
    itemsByBrand[it.brand].push(it.index);
  }
  for (const list of itemsByLeaf) list.sort((a, b) => items[a].launchAt - items[b].launchAt || a - b);
  const itemCumByLeaf = itemsByLeaf.map((list) => cumulative(list.map((i) => items[i].popularity)));
  const leavesByTop = TOP_CATEGORIES.map((_, ti) => leaves.filter((l) => l.top === ti).map((l) => l.index));
  const leafCumByTop = leavesByTop.map((ls) => cumulative(ls.map((l) => leafPop.get(l)!)));
  return {
    tops: TOP_CATEGORIES, categories, brands, items, leavesByTop, leafCumByTop, itemsByLeaf, itemCumByLeaf, itemsByBrand,
    launchOf: Float64Array.from(items, (it) => it.launchAt),
    logRelOf: Float64Array.from(items, (it) => it.logRel),
    brandOf: Int32Array.from(items, (it) => it.brand),
    launchByLeaf: itemsByLeaf.map((list) => Float64Array.from(list, (i) => items[i].launchAt)),
  };
}

/** The price a shopper pays at time t: promotion days take the item's markdown off. */
export function priceAt(item: Item, promoDay: boolean): number {
  return promoDay ? shopPrice(item.price * (1 - item.promoMarkdown)) : item.price;
}
