// The hidden personas of the classic user-profiling case study, as the means around which each
// shopper's traits are drawn. The numbers are chosen so each persona leaves a clear statistical
// footprint (price band, coupon share, brand repeat, order rate) while individuals still overlap.

export type Persona = 'trend_seeker' | 'price_sensitive' | 'brand_loyal' | 'potential' | 'mixed';

export interface PersonaDef {
  zh: string;
  en: string;
  share: number;
  /** Per-visit purchase probability before offers (median). */
  convBase: number;
  /** Utility per log-unit of relative price: >0 prefers cheap, <0 prefers expensive. */
  priceElasticity: number;
  /** How strongly coupons lift purchase odds (and how often coupons are hunted). */
  promoSensitivity: number;
  newArrivalPreference: number;
  brandLoyalty: number;
  /** Median sessions per day. */
  activity: number;
  /** Median product views per session. */
  depth: number;
  /** Chance to add a viewed item to the cart (relative). */
  addRate: number;
  /** Median daily churn hazard. */
  churnHazard: number;
  memberShare: number;
  femaleShare: number;
  /** Relative weight per age band (AGE_BANDS order) and city tier (CITY_TIERS order). */
  ageLean: number[];
  tierLean: number[];
  /** Concentration of category interests (< 1: fewer, stronger interests). */
  focus: number;
  /** Multipliers on category interest by top category code. */
  catBoost: Record<string, number>;
}

export const PERSONAS: Record<Persona, PersonaDef> = {
  trend_seeker: {
    zh: '时尚潮流追求者', en: 'Trend seeker', share: 0.12, convBase: 0.07, priceElasticity: -0.6,
    promoSensitivity: 0.3, newArrivalPreference: 2.2, brandLoyalty: 0.3, activity: 0.13, depth: 4.5, addRate: 1.1,
    churnHazard: 0.0025, memberShare: 0.6, femaleShare: 0.68, focus: 1, ageLean: [1.6, 1.4, 1, 0.6, 0.4, 0.2], tierLean: [1.6, 1.4, 1, 0.8, 0.6],
    catBoost: { apparel: 2.2, shoes_bags: 2, beauty: 2, electronics: 1.4, sports: 1.5, jewellery: 1.8, food: 0.5, personal_care: 0.6, mother_baby: 0.4, pets: 0.6, books: 0.6, health: 0.5 },
  },
  price_sensitive: {
    zh: '性价比优先族', en: 'Price-sensitive', share: 0.15, convBase: 0.035, priceElasticity: 2.6,
    promoSensitivity: 1.7, newArrivalPreference: 0, brandLoyalty: 0.15, activity: 0.12, depth: 5, addRate: 1.0,
    churnHazard: 0.0025, memberShare: 0.62, femaleShare: 0.58, focus: 1, ageLean: [1.1, 1, 1, 1.1, 1.2, 1.2], tierLean: [0.5, 0.7, 1, 1.3, 1.6],
    catBoost: { food: 2.2, personal_care: 2.2, home: 1.6, mother_baby: 1.4, pets: 1.3, electronics: 0.5, appliances: 0.5, jewellery: 0.3, beauty: 0.8 },
  },
  brand_loyal: {
    zh: '品牌忠实拥趸', en: 'Brand loyal', share: 0.12, convBase: 0.09, priceElasticity: 0.4,
    promoSensitivity: 0.3, newArrivalPreference: 0.3, brandLoyalty: 3.2, activity: 0.1, depth: 3.5, addRate: 1.2,
    churnHazard: 0.0012, memberShare: 0.8, femaleShare: 0.55, focus: 0.5, ageLean: [0.6, 0.9, 1.2, 1.3, 1.3, 1], tierLean: [1.4, 1.3, 1.1, 0.8, 0.6],
    catBoost: { beauty: 1.4, electronics: 1.3, mother_baby: 1.3, personal_care: 1.2 },
  },
  potential: {
    zh: '潜在消费群体', en: 'Potential', share: 0.13, convBase: 0.008, priceElasticity: 1.0,
    promoSensitivity: 0.7, newArrivalPreference: 0.5, brandLoyalty: 0.1, activity: 0.09, depth: 6, addRate: 0.6,
    churnHazard: 0.006, memberShare: 0.25, femaleShare: 0.54, focus: 1, ageLean: [1.8, 1.3, 0.9, 0.7, 0.5, 0.4], tierLean: [0.8, 0.9, 1, 1.1, 1.2],
    catBoost: {},
  },
  mixed: {
    zh: '综合型', en: 'Mixed', share: 0.48, convBase: 0.05, priceElasticity: 1.0,
    promoSensitivity: 0.6, newArrivalPreference: 0.5, brandLoyalty: 0.6, activity: 0.09, depth: 4, addRate: 0.9,
    churnHazard: 0.0025, memberShare: 0.62, femaleShare: 0.56, focus: 1, ageLean: [1, 1, 1, 1, 1, 1], tierLean: [1, 1, 1, 1, 1],
    catBoost: {},
  },
};

export const PERSONA_ORDER: Persona[] = ['trend_seeker', 'price_sensitive', 'brand_loyal', 'potential', 'mixed'];
export const PERSONA_WEIGHTS = PERSONA_ORDER.map((p) => PERSONAS[p].share);
