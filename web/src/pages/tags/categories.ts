import type { Lang } from '../../i18n/index.tsx';
import type { Tag, TagCategory } from '../../types.ts';

/** The taxonomy as a tree: categories (with their sub-categories) and the tags directly in each. */
export interface CategoryNode {
  category: TagCategory;
  children: CategoryNode[];
  tags: Tag[];
  /** tags in this category and below */
  total: number;
}

export function buildTree(categories: TagCategory[], tags: Tag[], keep: (t: Tag) => boolean = () => true): CategoryNode[] {
  const nodes = new Map(categories.map((c) => [c.code, { category: c, children: [] as CategoryNode[], tags: [] as Tag[], total: 0 }]));
  for (const t of tags) if (keep(t)) nodes.get(t.category)?.tags.push(t);
  const roots: CategoryNode[] = [];
  for (const c of categories) {
    const n = nodes.get(c.code)!;
    const parent = c.parent ? nodes.get(c.parent) : undefined;
    (parent ? parent.children : roots).push(n);
  }
  const count = (n: CategoryNode): number => (n.total = n.tags.length + n.children.reduce((a, c) => a + count(c), 0));
  roots.forEach(count);
  return roots;
}

/** A category's full name in the dashboard language, e.g. 消费属性 / RFM. */
export function categoryPath(code: string, categories: TagCategory[], lang: Lang): string {
  const byCode = new Map(categories.map((c) => [c.code, c]));
  const parts: string[] = [];
  for (let c = byCode.get(code); c && parts.length < 10; c = c.parent ? byCode.get(c.parent) : undefined) parts.unshift(lang === 'en' ? c.name_en : c.name_zh);
  return parts.join(' / ');
}
