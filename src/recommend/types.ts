/**
 * The shapes the recommendation models share. Items and people are dense indexes (0…n-1) into the
 * catalog and the interaction matrix, so every model works on typed arrays rather than string maps.
 */

/** The behaviours that count as interest, and how much each one says (view < wishlist < cart < buy). */
export const BEHAVIOUR_WEIGHTS = {
  'Product Viewed': 1,
  'Product Added to Wishlist': 2,
  'Product Added': 3,
  'Order Completed': 5,
} as const;
export type Behaviour = keyof typeof BEHAVIOUR_WEIGHTS;
export const BEHAVIOURS = Object.keys(BEHAVIOUR_WEIGHTS) as Behaviour[];

/** Item facts from the catalog (`items`) and, for items only seen in events, what the events said. */
export interface Catalog {
  ids: string[];
  index: Map<string, number>;
  title: string[];
  titleEn: string[];
  /** category path as the feed gives it (服装/女装/连衣裙); the leaf is the last segment */
  category: string[];
  /** the feed's top_category, or the first path segment */
  top: string[];
  /** the first segment of the category path */
  root: string[];
  brand: string[];
  /** NaN when unknown */
  price: Float64Array;
  /** the price's rank within its category, 0 cheapest … 1 dearest (0.5 when unknown) */
  pricePct: Float32Array;
  /** -1 when the feed does not say */
  stock: Int32Array;
  /** launch time in ms, NaN when unknown */
  launched: Float64Array;
  /** promotion markdown share (0…1), 0 when none */
  markdown: Float32Array;
  /** words for the content model: colour, material, keywords (title words are cut separately) */
  words: string[][];
}

/**
 * Person × item interest, one row per pair: the decayed sum of behaviour weights
 * (Σ weight × 2^(−age / half-life)), whether the person bought it, how many orders, and when last touched.
 * Rows are grouped by person (CSR: `ptr[u]…ptr[u+1]`).
 */
export interface Interactions {
  persons: string[];
  personIndex: Map<string, number>;
  ptr: Int32Array;
  item: Int32Array;
  weight: Float32Array;
  buys: Uint16Array;
  last: Float64Array;
  /** the moment the decay is measured from */
  asOf: number;
}

/** A model's answer for one request: item → score, with the item that led to it when there is one. */
export interface Scored {
  item: number;
  score: number;
  /** the history or anchor item behind the score (for "because you viewed X") */
  via?: number;
  /** the group whose popularity produced it (for "popular with … in your city") */
  group?: string;
}

/** What the ranker knows of the person from the profile tags. */
export interface Profile {
  /** leaf categories or category paths with their weights (top_categories), normalised to sum 1 */
  categories: Map<string, number>;
  /** departments (top_category_groups) */
  departments: Map<string, number>;
  brands: Map<string, number>;
  priceBand: 'low' | 'mid' | 'high' | null;
  priceSensitive: boolean;
  brandLoyal: boolean;
  trendSeeker: boolean;
  lifecycle: string | null;
  cityTier: string | null;
  /** consent_personalization is true: the person may get personalised lists */
  consent: boolean;
}

export const emptyProfile = (): Profile => ({
  categories: new Map(), departments: new Map(), brands: new Map(), priceBand: null,
  priceSensitive: false, brandLoyal: false, trendSeeker: false, lifecycle: null, cityTier: null, consent: false,
});

/** A recently touched item of a person (newest first in lists). */
export interface Touch {
  item: number;
  at: number;
  weight: number;
  bought: boolean;
}
