// Synthetic Segment e-commerce traffic for the ingestion benchmark. Bodies are generated once, before
// any timing, as JSON templates whose messageIds carry a fixed-width placeholder; `stamp` copies a
// template and writes a per-request counter into the placeholders, so every message sent is unique
// (the server dedupes on messageId) without generating millions of bodies up front.

/** Fixed-width placeholder inside every messageId; replaced per request by `stamp`. */
const TOKEN = '@@@@@@@@@@';
const TOKEN_LEN = TOKEN.length;

export interface Template {
  buf: Buffer;
  /** byte offsets of the TOKEN placeholders */
  offsets: number[];
  /** messages in the body */
  messages: number;
}

export interface SynthOptions {
  seed?: number;
  users?: number;
  /** distinct 100-event batch bodies */
  batchTemplates?: number;
  batchSize?: number;
  /** distinct single-track bodies */
  trackTemplates?: number;
  /** prefix of every messageId of this run */
  runTag: string;
  /**
   * personal data in the traffic: `some` (identifies carry email and often phone, as a shop sends), `none`
   * (no email, phone or ID anywhere), `heavy` (identifies also carry an ID number and a phone in a note;
   * signed-in tracks carry `context.traits` email and phone; a fifth of searches and orders hold a phone
   * or e-mail in free text)
   */
  pii?: 'none' | 'some' | 'heavy';
}

export interface Synth {
  batch: Template[];
  track: Template[];
  users: number;
  batchSize: number;
}

/** mulberry32: small, fast, deterministic. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof prng>;

const categories = ['Apparel', 'Shoes', 'Beauty', 'Electronics', 'Home', 'Kitchen', 'Sports', 'Books', 'Toys', 'Grocery'] as const;
const brands = ['Lumen', 'Northwind', 'Haier', 'Xiaomi', 'Anta', 'Li-Ning', 'Perfect Diary', 'Midea', 'Uniqlo', 'Muji', 'Huawei', 'Bosideng'] as const;
const agents = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; 23049RAD8C) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15',
] as const;
const osOf = ['iOS', 'Android', 'Windows', 'Mac OS X'] as const;
const deviceOf = ['mobile', 'mobile', 'desktop', 'desktop'] as const;
const queries = ['羽绒服', 'running shoes', '蓝牙耳机', 'air fryer', 'lipstick', '保温杯', 'yoga mat', 'kindle', '乐高', 'coffee beans'];
const campaigns = [
  { source: 'wechat', medium: 'social', name: 'spring_sale' },
  { source: 'baidu', medium: 'cpc', name: 'brand_search' },
  { source: 'newsletter', medium: 'email', name: 'weekly_picks' },
  { source: 'douyin', medium: 'video', name: 'live_0618' },
];
const pages = [
  { name: 'Home', path: '/' },
  { name: 'Category', path: '/c/' },
  { name: 'Product Detail', path: '/p/' },
  { name: 'Cart', path: '/cart' },
  { name: 'Search', path: '/search' },
];

interface User {
  anonymousId: string;
  userId?: string;
  email?: string;
  phone?: string;
  name?: string;
  ip: string;
  agent: number;
  locale: string;
}

interface Product {
  product_id: string;
  sku: string;
  name: string;
  category: string;
  brand: string;
  price: number;
}

function hex(r: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[r.int(16)];
  return s;
}

/** A resident ID number with a valid GB 11643 check character. */
function idNumber(r: Rng): string {
  const body = `330106${1960 + r.int(45)}${String(1 + r.int(12)).padStart(2, '0')}${String(1 + r.int(28)).padStart(2, '0')}${String(r.int(1000)).padStart(3, '0')}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  return body + '10X98765432'[[...body].reduce((s, d, i) => s + Number(d) * w[i]!, 0) % 11];
}

function makeUsers(r: Rng, n: number): User[] {
  const users: User[] = [];
  for (let i = 0; i < n; i++) {
    const known = r.chance(0.6);
    users.push({
      anonymousId: `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`,
      userId: known ? `u${100000 + i}` : undefined,
      email: known ? `shopper${i}@example.com` : undefined,
      phone: known && r.chance(0.7) ? `+86 138${String(r.int(1e8)).padStart(8, '0')}` : undefined,
      name: known ? `Shopper ${i}` : undefined,
      ip: `223.104.${r.int(256)}.${r.int(256)}`,
      agent: r.int(agents.length),
      locale: r.chance(0.8) ? 'zh-CN' : 'en-US',
    });
  }
  return users;
}

function makeProducts(r: Rng, n: number): Product[] {
  const out: Product[] = [];
  for (let i = 0; i < n; i++) {
    const category = r.pick(categories);
    out.push({
      product_id: `p${10000 + i}`,
      sku: `SKU-${category.slice(0, 3).toUpperCase()}-${i}`,
      name: `${category} item ${i}`,
      category,
      brand: r.pick(brands),
      price: Math.round((5 + r.next() * r.next() * 2000) * 100) / 100,
    });
  }
  return out;
}

/** One message as a client SDK would send it; `idx` makes the messageId unique inside its body. */
function message(r: Rng, users: User[], products: Product[], now: number, runTag: string, phase: string, idx: number, onlyTrack: boolean, pii: SynthOptions['pii'] = 'some'): Record<string, unknown> {
  let user = users[r.int(users.length)]!;
  const roll = onlyTrack ? 0.2 + r.next() * 0.8 : r.next();
  const ts = new Date(now - r.int(300_000)).toISOString();
  const page = r.pick(pages);
  const product = r.pick(products);
  const context: Record<string, unknown> = {
    ip: user.ip,
    userAgent: agents[user.agent],
    locale: user.locale,
    timezone: 'Asia/Shanghai',
    library: { name: 'analytics.js', version: '5.2.0' },
    os: { name: osOf[user.agent] },
    device: { type: deviceOf[user.agent] },
    page: { path: page.path, url: `https://shop.example.com${page.path}`, referrer: r.chance(0.3) ? 'https://www.baidu.com/' : '' },
    sessionId: `${user.anonymousId.slice(0, 8)}-${Math.floor(now / 1_800_000)}`,
  };
  if (r.chance(0.2)) context.campaign = r.pick(campaigns);
  const base: Record<string, unknown> = {
    messageId: `${runTag}.${phase}.${TOKEN}.${idx}`,
    anonymousId: user.anonymousId,
    timestamp: ts,
    context,
  };
  const loggedIn = () => {
    if (user.userId && r.chance(0.7)) base.userId = user.userId;
    if (pii === 'heavy' && base.userId) context.traits = { email: user.email, ...(user.phone ? { phone: user.phone } : {}) };
  };
  const freeText = (plain: string) => (pii === 'heavy' && r.chance(0.2) ? `${plain} ${r.chance(0.5) ? `call 139${String(r.int(1e8)).padStart(8, '0')}` : `mail ${user.email ?? 'guest@example.com'}`}` : plain);
  const line = (p: Product, quantity = 1) => ({ product_id: p.product_id, sku: p.sku, name: p.name, category: p.category, brand: p.brand, price: p.price, quantity });

  if (roll < 0.07) {
    // identify: only known users, carrying PII traits (email always, phone often)
    while (!user.userId) user = users[r.int(users.length)]!;
    base.anonymousId = user.anonymousId;
    context.ip = user.ip;
    const traits: Record<string, unknown> = { email: user.email, name: user.name, city: r.pick(['Shanghai', 'Beijing', 'Hangzhou', 'Shenzhen']), plan: r.pick(['member', 'vip']) };
    if (user.phone) traits.phone = user.phone;
    if (pii === 'none') (delete traits.email, delete traits.phone);
    if (pii === 'heavy') Object.assign(traits, { id_number: idNumber(r), note: `prefers calls to 138${String(r.int(1e8)).padStart(8, '0')}` });
    return { type: 'identify', userId: user.userId, traits, ...base };
  }
  loggedIn();
  if (roll < 0.2) {
    return { type: 'page', name: page.name, properties: { path: page.path, url: `https://shop.example.com${page.path}`, title: `${page.name} | Shop` }, ...base };
  }
  if (roll < 0.55) {
    return { type: 'track', event: 'Product Viewed', properties: { ...line(product), currency: 'CNY', url: `https://shop.example.com/p/${product.product_id}` }, ...base };
  }
  if (roll < 0.62) {
    return { type: 'track', event: 'Products Searched', properties: { query: freeText(r.pick(queries)) }, ...base };
  }
  if (roll < 0.78) {
    return { type: 'track', event: 'Product Added', properties: { ...line(product, 1 + r.int(3)), cart_id: `c${hex(r, 10)}`, currency: 'CNY' }, ...base };
  }
  if (roll < 0.82) {
    return { type: 'track', event: 'Product Removed', properties: { ...line(product), cart_id: `c${hex(r, 10)}`, currency: 'CNY' }, ...base };
  }
  if (roll < 0.88) {
    return { type: 'track', event: 'Product Added to Wishlist', properties: { ...line(product) }, ...base };
  }
  // Order Completed with 1–3 products
  const items = Array.from({ length: 1 + r.int(3) }, () => line(r.pick(products), 1 + r.int(2)));
  const subtotal = Math.round(items.reduce((s, x) => s + x.price * x.quantity, 0) * 100) / 100;
  const discount = r.chance(0.3) ? Math.round(subtotal * 0.1 * 100) / 100 : 0;
  const shipping = subtotal > 99 ? 0 : 10;
  return {
    type: 'track',
    event: 'Order Completed',
    properties: {
      order_id: `o${hex(r, 12)}`,
      checkout_id: `k${hex(r, 10)}`,
      total: Math.round((subtotal - discount + shipping) * 100) / 100,
      revenue: Math.round((subtotal - discount) * 100) / 100,
      shipping,
      tax: 0,
      discount,
      coupon: discount ? 'SAVE10' : undefined,
      currency: 'CNY',
      products: items,
      ...(pii === 'heavy' ? { delivery_note: freeText('leave at the door') } : {}),
    },
    ...base,
  };
}

function template(json: string, messages: number): Template {
  const buf = Buffer.from(json, 'utf8');
  const offsets: number[] = [];
  for (let at = buf.indexOf(TOKEN); at !== -1; at = buf.indexOf(TOKEN, at + TOKEN_LEN)) offsets.push(at);
  if (offsets.length !== messages) throw new Error(`template has ${offsets.length} messageId placeholders for ${messages} messages`);
  return { buf, offsets, messages };
}

export function synthesize(opts: SynthOptions): Synth {
  const r = prng(opts.seed ?? 20240618);
  const nUsers = opts.users ?? 5000;
  const batchSize = opts.batchSize ?? 100;
  const users = makeUsers(r, nUsers);
  const products = makeProducts(r, 2000);
  const now = Date.now();
  const batch: Template[] = [];
  for (let t = 0; t < (opts.batchTemplates ?? 300); t++) {
    const msgs = Array.from({ length: batchSize }, (_, i) => message(r, users, products, now, opts.runTag, 'b', i, false, opts.pii));
    batch.push(template(JSON.stringify({ batch: msgs, sentAt: new Date(now).toISOString() }), batchSize));
  }
  const track: Template[] = [];
  for (let t = 0; t < (opts.trackTemplates ?? 3000); t++) {
    const { type: _type, ...m } = message(r, users, products, now, opts.runTag, 't', 0, true, opts.pii);
    track.push(template(JSON.stringify({ ...m, sentAt: new Date(now).toISOString() }), 1));
  }
  return { batch, track, users: nUsers, batchSize };
}

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A copy of the template with `seq` (base 36, fixed width) written into every messageId placeholder. */
export function stamp(t: Template, seq: number): Buffer {
  const out = Buffer.allocUnsafe(t.buf.length);
  t.buf.copy(out);
  let n = seq;
  const digits = new Uint8Array(TOKEN_LEN);
  for (let i = TOKEN_LEN - 1; i >= 0; i--) {
    digits[i] = DIGITS.charCodeAt(n % 36);
    n = Math.floor(n / 36);
  }
  for (const at of t.offsets) out.set(digits, at);
  return out;
}
