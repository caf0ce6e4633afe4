import type { Catalog } from './types.ts';

/**
 * Reasons a person can read, one per recommended item, from the source that contributed most to its
 * score: the history item behind an item-CF or content match, the product on the page, the basket item
 * it is bought with, or the group whose favourite it is. Chinese by default, English on request.
 */
export type Source = 'itemcf' | 'als' | 'content' | 'session' | 'together' | 'popular' | 'trending' | 'explore';
export type Lang = 'zh' | 'en';

export interface Evidence {
  source: Source;
  /** the history / anchor item (index) */
  via?: number;
  /** whether the person bought `via` (else viewed or carted it) */
  viaBought?: boolean;
  /** the scene's anchor is `via` (product page, basket) rather than the person's history */
  anchored?: boolean;
  group?: string;
}

const TYPE_NAMES: Record<string, [string, string]> = {
  price_sensitive: ['价格敏感型', 'price-sensitive'],
  brand_loyal: ['品牌忠诚型', 'brand-loyal'],
  trend_seeker: ['新品尝鲜型', 'trend-seeking'],
};

export function itemName(c: Catalog, i: number, lang: Lang): string {
  return (lang === 'en' ? c.titleEn[i] || c.title[i] : c.title[i] || c.titleEn[i]) || c.ids[i] || '';
}

const leaf = (c: Catalog, i: number) => (c.category[i] ?? '').split('/').filter(Boolean).pop() || c.top[i] || '';

/** "popular with 价格敏感型 users in 二线 cities" from a group key `tier=二线&type=price_sensitive` */
export function groupPhrase(group: string, lang: Lang): string {
  const g = new URLSearchParams(group);
  const tier = g.get('tier');
  const type = g.get('type');
  const t = type ? TYPE_NAMES[type] : undefined;
  if (lang === 'en') {
    const who = t ? `${t[0]} (${t[1]}) shoppers` : 'shoppers';
    return tier ? `popular with ${who} in ${tier} cities like yours` : `popular with ${who} like you`;
  }
  const who = t ? `${t[0]}用户` : '用户';
  return tier ? `在和你同样${tier}城市的${who}中很受欢迎` : `在${who}中很受欢迎`;
}

export function reason(c: Catalog, item: number, e: Evidence, lang: Lang): string {
  const x = e.via !== undefined ? `「${itemName(c, e.via, lang)}」` : '';
  const en = lang === 'en';
  switch (e.source) {
    case 'itemcf':
      if (e.anchored) return en ? `people who viewed ${x} also viewed this` : `看过${x}的人也看了`;
      return en ? `because you ${e.viaBought ? 'bought' : 'viewed'} ${x}` : `因为你${e.viaBought ? '购买过' : '浏览过'}${x}`;
    case 'content':
      return e.anchored ? (en ? `similar to ${x}` : `与${x}相似`) : en ? `similar to ${x} you liked` : `与你喜欢的${x}相似`;
    case 'session':
      return en ? `because you just viewed ${x}` : `因为你刚刚看过${x}`;
    case 'together':
      return en ? `often bought with ${x}` : `常与${x}一起购买`;
    case 'als':
      return en ? `matches your taste in ${leaf(c, item)}` : `符合你对「${leaf(c, item)}」的偏好`;
    case 'popular':
      return e.group ? groupPhrase(e.group, lang) : en ? 'popular in the shop right now' : '全店热销';
    case 'trending':
      return en ? `trending now in ${leaf(c, item)}` : `「${leaf(c, item)}」近期热度上升`;
    case 'explore':
      return en ? `new for you to discover in ${leaf(c, item)}` : `为你发现「${leaf(c, item)}」新品`;
  }
}
