// Fictional brands (no real trademarks in a public data set) and item attribute vocabularies.
// Brands are "zh|en|tier" with tier p = premium, m = mid, b = budget: a few premium, many mid,
// some budget per top category, as in a real marketplace.

import type { AttrKind } from './catalogData.ts';

export const BRANDS: Record<string, string> = {
  apparel: '云裳|Yunshang|p 墨白|Mobai|p 织物语|Zhiwuyu|m 初木|Chumu|m 拾光|Shiguang|m 南风|Nanfeng|m 简屿|Jianyu|m 优衫|Youshan|b 衣加衣|Yijiayi|b',
  shoes_bags: '履行者|Lvxingzhe|p 皮匠坊|Pijiangfang|p 步悦|Buyue|m 行止|Xingzhi|m 途乐|Tule|m 轻履|Qinglv|b 小包包|Xiaobaobao|b',
  beauty: '玉颜|Yuyan|p 凝萃|Ningcui|p 花间集|Huajianji|m 水漾|Shuiyang|m 素肌|Suji|m 初妍|Chuyan|m 美丽说|Meilishuo|b 清颜|Qingyan|b',
  personal_care: '净界|Jingjie|p 舒适家|Shushijia|m 洁丽|Jieli|m 清新|Qingxin|m 白露|Bailu|m 家家净|Jiajiajing|b 实惠宝|Shihuibao|b',
  electronics: '星河|Xinghe|p 曜石|Yaoshi|p 极光|Jiguang|m 灵动|Lingdong|m 声阔|Shengkuo|m 米粒|Mili|m 酷派克|Kupaike|b 小度数码|Xiaodu|b',
  appliances: '匠心|Jiangxin|p 宜居|Yiju|m 智家|Zhijia|m 美厨|Meichu|m 小熊熊|Xiaoxiongxiong|b 小当家|Xiaodangjia|b',
  home: '栖木|Qimu|p 棉之语|Mianzhiyu|m 宜家居|Yijiaju|m 好物集|Haowuji|m 简居|Jianju|m 万家乐购|Wanjialegou|b 百纳|Baina|b',
  food: '山野|Shanye|p 原产地|Yuanchandi|p 三只小熊|Sanzhixiaoxiong|m 良品坊|Liangpinfang|m 味道|Weidao|m 鲜丰|Xianfeng|m 每日鲜|Meirixian|b 实惠家|Shihuijia|b',
  mother_baby: '贝亲爱|Beiqinai|p 启初|Qichu|p 宝贝家|Baobeijia|m 小树苗|Xiaoshumiao|m 乐童|Letong|m 好孩儿|Haohaier|b',
  sports: '疾风|Jifeng|p 峰行|Fengxing|p 动力|Dongli|m 跃动|Yuedong|m 野径|Yejing|m 速动|Sudong|b 乐跑|Lepao|b',
  books: '文景|Wenjing|p 博雅|Boya|m 读客|Duke|m 新知|Xinzhi|m 童趣|Tongqu|m 学而|Xueer|b',
  pets: '皇家萌宠|Huangjia|p 爱宠|Aichong|m 喵星人|Miaoxingren|m 汪汪队|Wangwangdui|m 宠乐|Chongle|b',
  jewellery: '金缕|Jinlv|p 时刻|Shike|p 银饰坊|Yinshifang|m 流光|Liuguang|m 明眸|Mingmou|m 小饰界|Xiaoshijie|b',
  health: '康元|Kangyuan|p 本草堂|Bencaotang|m 健能|Jianneng|m 益生|Yisheng|m 安康|Ankang|b',
};

export interface Vocab {
  zh: string;
  en: string;
}

/** "zh|en zh|en …"; an underscore in the English stands for a space. */
function vocab(s: string): Vocab[] {
  return s.split(' ').map((w) => {
    const [zh, en] = w.split('|');
    return { zh, en: en.replace(/_/g, ' ') };
  });
}

export const COLOURS = vocab(
  '黑色|Black 白色|White 米白色|Ivory 灰色|Grey 藏青色|Navy 红色|Red 酒红色|Burgundy 粉色|Pink 卡其色|Khaki 驼色|Camel 绿色|Green 蓝色|Blue 紫色|Purple 银色|Silver 金色|Gold',
);

const MATERIALS: Partial<Record<AttrKind, Vocab[]>> = {
  apparel: vocab('纯棉|Cotton 真丝|Silk 羊毛|Wool 涤纶|Polyester 亚麻|Linen 雪纺|Chiffon 牛仔|Denim 真皮|Leather 羊绒|Cashmere'),
  sport: vocab('网面|Mesh 速干面料|Quick-dry 氨纶|Spandex 尼龙|Nylon 橡胶|Rubber'),
  home: vocab('实木|Solid_Wood 陶瓷|Ceramic 不锈钢|Stainless_Steel 玻璃|Glass 纯棉|Cotton 竹纤维|Bamboo'),
  tech: vocab('铝合金|Aluminium 塑料|Plastic 玻璃|Glass 硅胶|Silicone'),
  jewel: vocab('足金|Gold 925银|Sterling_Silver 钛钢|Titanium 珍珠|Pearl 精钢|Steel'),
  baby: vocab('纯棉|Cotton 硅胶|Silicone 木质|Wood'),
  book: vocab('平装|Paperback 精装|Hardcover'),
};

/** Kinds whose items come in colours (food, books, health products do not). */
const COLOURED: AttrKind[] = ['apparel', 'sport', 'home', 'tech', 'jewel', 'beauty', 'baby'];

export function materialsFor(kind: AttrKind): Vocab[] | undefined {
  return MATERIALS[kind];
}

export function hasColour(kind: AttrKind): boolean {
  return COLOURED.includes(kind);
}

/** Title adjectives per attribute kind: the marketplace's habit of stacking selling points. */
export const ADJECTIVES: Record<AttrKind, Vocab[]> = {
  apparel: vocab('2026新款|2026-New 法式|French-Style 宽松|Loose-Fit 修身|Slim-Fit 韩版|Korean-Style 百搭|Versatile 复古|Vintage'),
  beauty: vocab('补水保湿|Hydrating 温和|Gentle 持久|Long-Lasting 小样|Travel-Size 限定|Limited 敏感肌|Sensitive-Skin'),
  tech: vocab('旗舰|Flagship 新一代|Next-Gen 轻薄|Slim 大电量|Long-Battery 高性能|High-Performance 入门|Entry'),
  home: vocab('北欧风|Nordic 简约|Minimalist 加厚|Thick 家用|Household 大容量|Large 日式|Japanese-Style'),
  food: vocab('原味|Original 礼盒装|Gift-Box 家庭装|Family-Pack 进口|Imported 有机|Organic 低糖|Low-Sugar'),
  book: vocab('畅销|Bestselling 典藏版|Collector 全新修订|Revised 套装|Boxed-Set 插图版|Illustrated'),
  baby: vocab('新生儿|Newborn 超薄|Ultra-Thin 透气|Breathable 加大码|XL 安全|Safe'),
  sport: vocab('专业|Pro 透气|Breathable 轻量|Lightweight 缓震|Cushioned 防水|Waterproof'),
  pet: vocab('成猫|Adult 幼犬|Puppy 无谷|Grain-Free 冻干|Freeze-Dried 大包装|Bulk'),
  health: vocab('家庭装|Family-Pack 进口|Imported 便携|Portable 大容量|Large 温和|Gentle'),
  jewel: vocab('轻奢|Affordable-Luxury 简约|Minimalist 情侣|Couple 复古|Vintage 气质|Elegant'),
};
