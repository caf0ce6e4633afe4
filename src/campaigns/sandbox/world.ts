import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ResponseTraits } from '../../world/index.ts';

/**
 * The part of a generated world the sandbox reads: each shopper's hidden response traits
 * (truth/users.jsonl) found by user id or by any of their device ids, and the catalog's items per top
 * category (catalog/items.jsonl) to fill the orders it sends back. Only the sandbox reads truth — the
 * product's own logic never does.
 */
export interface Shopper {
  userId: string;
  anonymousIds: string[];
  registered: boolean;
  persona: string;
  traits: ResponseTraits;
}

export interface CatalogItem {
  itemId: string;
  name: string;
  brand: string;
  /** zh path, e.g. 食品/零食/坚果 */
  category: string;
  price: number;
}

export interface SandboxWorld {
  dir: string;
  shoppers: Shopper[];
  /** a user id or a device (anonymous) id → the shopper */
  byId: Map<string, Shopper>;
  /** top category code → its items */
  items: Map<string, CatalogItem[]>;
}

async function* jsonl(file: string): AsyncGenerator<Record<string, any>> {
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim()) yield JSON.parse(line) as Record<string, any>;
}

export async function loadWorld(dir: string): Promise<SandboxWorld> {
  const usersFile = path.join(dir, 'truth', 'users.jsonl');
  if (!existsSync(usersFile)) throw new Error(`${usersFile} not found: --world must be a directory written by \`huaxiang generate\``);
  const shoppers: Shopper[] = [];
  const byId = new Map<string, Shopper>();
  for await (const u of jsonl(usersFile)) {
    const s: Shopper = {
      userId: String(u.userId), anonymousIds: (u.anonymousIds ?? []) as string[], registered: Boolean(u.registered), persona: String(u.persona),
      traits: {
        convBase: u.traits.convBase, promoSensitivity: u.traits.promoSensitivity, activityPerDay: u.traits.activityPerDay,
        favouriteHours: u.traits.favouriteHours, affinity: u.traits.affinity,
      },
    };
    shoppers.push(s);
    byId.set(s.userId, s);
    for (const a of s.anonymousIds) byId.set(a, s);
  }
  const items = new Map<string, CatalogItem[]>();
  const itemsFile = path.join(dir, 'catalog', 'items.jsonl');
  if (existsSync(itemsFile)) {
    for await (const it of jsonl(itemsFile)) {
      const list = items.get(it.top_category) ?? items.set(it.top_category, []).get(it.top_category)!;
      list.push({ itemId: String(it.itemId), name: String(it.name_zh), brand: String(it.brand), category: String(it.category_zh), price: Number(it.price) });
    }
  }
  return { dir, shoppers, byId, items };
}
