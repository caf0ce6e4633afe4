import type { OltpStore } from '../store/oltp/index.ts';

/** What a person said they do not want: items disliked or marked not interested, and categories. */
export interface Dislikes {
  items: Set<string>;
  categories: string[];
  /** changes with every feedback anyone gives (ranking keeps a final list only while it is unchanged) */
  version: number;
}

export interface Feedback {
  kind: 'dislike' | 'not_interested';
  itemId?: string;
  category?: string;
}

/**
 * Recommendation feedback ("not interested", dislike) per person: recorded in Postgres
 * (`recommend_feedback`) and kept in memory, so that serving obeys it from the next request on without a
 * read. `load` reads everything recorded, when the engine starts.
 */
export class FeedbackMemory {
  private readonly byPerson = new Map<string, Dislikes>();
  private version = 0;

  constructor(private readonly oltp: OltpStore) {}

  /** Reads the recorded feedback. */
  async load(): Promise<void> {
    const rows = await this.oltp.query<{ person_id: string; item_id: string | null; category: string | null }>('SELECT person_id, item_id, category FROM recommend_feedback ORDER BY id');
    for (const r of rows) this.remember(r.person_id, r.item_id, r.category);
  }

  /** Records a person's feedback, obeyed from the next request on. */
  async record(person: string, f: Feedback): Promise<void> {
    await this.oltp.query('INSERT INTO recommend_feedback (person_id, kind, item_id, category) VALUES ($1, $2, $3, $4)', [person, f.kind, f.itemId ?? null, f.category ?? null]);
    this.remember(person, f.itemId ?? null, f.category ?? null);
  }

  /** What the person does not want, if they said anything. */
  of(person: string): Dislikes | undefined {
    return this.byPerson.get(person);
  }

  private remember(person: string, itemId: string | null, category: string | null): void {
    let fb = this.byPerson.get(person);
    if (!fb) this.byPerson.set(person, (fb = { items: new Set(), categories: [], version: 0 }));
    if (itemId) fb.items.add(itemId);
    if (category && !fb.categories.includes(category)) fb.categories.push(category);
    fb.version = ++this.version;
  }
}
