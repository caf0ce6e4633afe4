/**
 * What a review talks about: a small dictionary of e-commerce aspects, each with the Chinese and English
 * words that name it. A review mentions an aspect when one of its clauses contains one of the words
 * (Chinese words as substrings of the clause, English words as whole words).
 */
export interface Aspect {
  code: string;
  name_zh: string;
  name_en: string;
  zh: readonly string[];
  en: readonly string[];
}

export const ASPECTS: readonly Aspect[] = [
  { code: 'quality', name_zh: '质量', name_en: 'Quality', zh: ['质量', '品质', '做工', '材质', '面料', '用料', '正品', '起球', '开胶', '坏了', '破损'], en: ['quality', 'workmanship', 'material', 'fabric', 'build', 'broke', 'broken', 'pilled'] },
  { code: 'delivery', name_zh: '物流', name_en: 'Delivery', zh: ['物流', '快递', '发货', '送货', '配送', '到货', '送达', '速度'], en: ['delivery', 'shipping', 'shipped', 'courier', 'arrived', 'dispatch'] },
  { code: 'price', name_zh: '价格', name_en: 'Price', zh: ['价格', '价钱', '性价比', '便宜', '贵', '划算', '值这个价', '物超所值', '实惠'], en: ['price', 'value', 'cheap', 'expensive', 'worth', 'money', 'overpriced'] },
  { code: 'packaging', name_zh: '包装', name_en: 'Packaging', zh: ['包装', '盒子', '外盒', '封口'], en: ['packaging', 'packaged', 'package', 'box', 'wrapped'] },
  { code: 'service', name_zh: '客服', name_en: 'Service', zh: ['客服', '服务', '态度', '售后', '退货', '退款', '商家'], en: ['service', 'support', 'seller', 'refund', 'returning', 'return'] },
  { code: 'size', name_zh: '尺码', name_en: 'Size & fit', zh: ['尺码', '尺寸', '大小', '偏大', '偏小', '鞋码', '版型', '磨脚'], en: ['size', 'fit', 'fits', 'large', 'small', 'tight', 'loose'] },
  { code: 'appearance', name_zh: '外观', name_en: 'Looks', zh: ['外观', '颜色', '色差', '款式', '好看', '颜值', '精致', '光泽', '掉色'], en: ['colour', 'color', 'look', 'looks', 'style', 'design'] },
  { code: 'taste', name_zh: '口味', name_en: 'Taste & freshness', zh: ['味道', '口味', '口感', '新鲜', '好吃', '难吃', '过期', '适口性'], en: ['taste', 'tastes', 'fresh', 'delicious', 'flavour', 'flavor', 'expired'] },
  { code: 'performance', name_zh: '性能', name_en: 'Performance', zh: ['效果', '续航', '流畅', '卡顿', '死机', '音质', '缓震', '测量'], en: ['battery', 'performance', 'runs', 'freezing', 'sound', 'works', 'working'] },
  { code: 'description', name_zh: '描述相符', name_en: 'As described', zh: ['描述', '图片', '宣传', '一模一样', '不符'], en: ['described', 'description', 'picture', 'pictured', 'advertised'] },
];

const enWords = ASPECTS.map((a) => new Set(a.en));

/** The aspects (by index into ASPECTS) a clause mentions; `words` are its lower-cased words. */
export function aspectsOf(clause: string, words: readonly string[]): number[] {
  const out: number[] = [];
  ASPECTS.forEach((a, i) => {
    if (a.zh.some((w) => clause.includes(w)) || words.some((w) => enWords[i]!.has(w))) out.push(i);
  });
  return out;
}
