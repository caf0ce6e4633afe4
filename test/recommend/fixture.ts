import type { Runtime } from '../../src/runtime.ts';
import { DAY, MINUTE, msg, send, type Msg } from '../support/scenario.ts';

/**
 * A tiny hand-made shop for the recommendation tests: a catalog whose items are chosen so that each
 * model's right answer is known, and helpers to send product events through the real pipeline.
 */
export interface FixtureItem {
  id: string;
  title: string;
  category: string;
  brand: string;
  price: number;
  stock?: number;
  launchedDaysAgo?: number;
  colour?: string;
  material?: string;
  keywords?: string[];
}

export const ITEMS: FixtureItem[] = [
  { id: 'a1', title: '织物语 修身 羊绒连衣裙 紫色', category: '服装/女装/连衣裙', brand: '织物语', price: 279, colour: '紫色', material: '羊绒', keywords: ['连衣裙', '长裙'] },
  { id: 'a2', title: '衣加衣 宽松 棉质连衣裙 白色', category: '服装/女装/连衣裙', brand: '衣加衣', price: 159, colour: '白色', material: '棉', keywords: ['连衣裙'] },
  { id: 'a3', title: '织物语 百搭 羊毛大衣 卡其色', category: '服装/女装/毛呢大衣', brand: '织物语', price: 699, colour: '卡其色', material: '羊毛', keywords: ['大衣'] },
  { id: 'a4', title: '初木 通勤 针织衫 黑色', category: '服装/女装/针织衫', brand: '初木', price: 199, colour: '黑色', material: '羊毛', keywords: ['针织衫'] },
  { id: 'b1', title: '极光 旗舰 智能手机 黑色', category: '数码/手机/手机', brand: '极光', price: 3999, colour: '黑色', keywords: ['手机'] },
  { id: 'b2', title: '极光 快充 手机壳 透明', category: '数码/手机/手机配件', brand: '极光', price: 49, colour: '透明', keywords: ['手机壳'] },
  { id: 'b3', title: '声海 降噪 蓝牙耳机 白色', category: '数码/影音/耳机', brand: '声海', price: 599, colour: '白色', keywords: ['耳机'] },
  { id: 'b4', title: '声海 便携 蓝牙音箱 蓝色', category: '数码/影音/音箱', brand: '声海', price: 299, colour: '蓝色', keywords: ['音箱'] },
  { id: 'c1', title: '果园 每日坚果 混合装', category: '食品/零食/坚果', brand: '果园', price: 89, stock: 0, keywords: ['坚果'] },
  { id: 'c2', title: '果园 烘焙 腰果', category: '食品/零食/坚果', brand: '果园', price: 59, keywords: ['坚果', '腰果'] },
  // a new arrival nobody has touched: exposure must come from content similarity to a1
  { id: 'n1', title: '织物语 修身 羊绒连衣裙 紫色 新款', category: '服装/女装/连衣裙', brand: '织物语', price: 299, launchedDaysAgo: 3, colour: '紫色', material: '羊绒', keywords: ['连衣裙', '长裙'] },
];

export const byId = new Map(ITEMS.map((i) => [i.id, i]));

export async function loadCatalog(rt: Runtime, now: number): Promise<void> {
  await rt.olap.insert('items', ITEMS.map((i) => ({
    item_id: i.id, title: i.title, title_en: '', category: i.category, category_id: '', brand: i.brand, price: i.price, currency: 'CNY',
    launched_at: new Date(now - (i.launchedDaysAgo ?? 400) * DAY).toISOString().replace('T', ' ').slice(0, 23),
    attributes: JSON.stringify({ stock: i.stock ?? 100, colour: i.colour, material: i.material, keywords: i.keywords ?? [], top_category: i.category.split('/')[0] }),
    source: 'feed', updated_at: new Date(now).toISOString().replace('T', ' ').slice(0, 23),
  })));
}

const product = (id: string): Msg => {
  const i = byId.get(id)!;
  return { product_id: id, name: i.title, category: i.category, brand: i.brand, price: i.price };
};

/** builders for the four behaviours (view < wishlist < cart < buy) */
export const ev = {
  view: (u: string, id: string, t: number) => msg.track(u, 'Product Viewed', t, product(id)),
  wish: (u: string, id: string, t: number) => msg.track(u, 'Product Added to Wishlist', t, product(id)),
  cart: (u: string, id: string, t: number) => msg.track(u, 'Product Added', t, { ...product(id), quantity: 1 }),
  buy: (u: string, ids: string[], t: number, orderId = `o-${u}-${t}`) =>
    msg.track(u, 'Order Completed', t, { order_id: orderId, revenue: ids.reduce((s, id) => s + byId.get(id)!.price, 0), currency: 'CNY', products: ids.map((id) => ({ ...product(id), quantity: 1 })) }),
};

/** an identify giving consent to every purpose (personalised lists need consent.personalization) */
export const consent = (u: string, t: number, personalization = true) =>
  msg.identify(u, t, { consent: { analytics: true, personalization, marketing: true } });

export { DAY, MINUTE, send };
