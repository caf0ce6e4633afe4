import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore, SqlExecutor } from '../store/oltp/index.ts';
import type { IdentityLink } from './links.ts';

interface Row {
  distinct_id: string;
  person_id: string;
  version: number;
}

/**
 * The identity graph. Merging happens at write time in Postgres, where the map is kept flat (every id
 * points at its person); events themselves are never rewritten, so resolution at read time is one
 * lookup (Postgres for a profile, the `person_ids` mirror for ClickHouse joins).
 */
export class IdentityGraph {
  /** links already applied; only a cache, so losing it costs a little work and nothing else */
  private seen = new Set<string>();

  constructor(
    private readonly db: OltpStore,
    private readonly olap: OlapStore,
  ) {}

  /** the apply in progress: applies run one after another, so the mirror receives versions in order */
  private last: Promise<unknown> = Promise.resolve();

  /**
   * Applies new links in one transaction and mirrors the changed rows to ClickHouse. One apply at a time:
   * the in-memory copy of the map (src/identity/engineMap.ts) keeps the last row inserted for an id, which
   * must be the latest version. Answers the ids whose person changed (new ids included).
   */
  apply(links: readonly IdentityLink[]): Promise<string[]> {
    const run = this.last.then(() => this.applyNow(links));
    this.last = run.catch(() => undefined);
    return run;
  }

  private async applyNow(links: readonly IdentityLink[]): Promise<string[]> {
    const fresh = links.filter((l) => !this.seen.has(`${l.from}\u0000${l.to}`));
    if (fresh.length === 0) return [];
    const changed = await this.db.transaction(async (tx) => {
      const out = new Map<string, Row>();
      const rest = await applySimpleLinks(tx, fresh, out);
      for (const link of rest) for (const r of await applyLink(tx, link)) out.set(r.distinct_id, r);
      return [...out.values()];
    });
    await this.olap.insert('person_ids', changed.map((r) => ({ ...r, is_deleted: 0 })));
    if (this.seen.size > 200_000) this.seen.clear();
    for (const l of fresh) this.seen.add(`${l.from}\u0000${l.to}`);
    return changed.map((r) => r.distinct_id);
  }

  /** The person an id belongs to (the id itself when it was never linked). */
  async personOf(id: string): Promise<string> {
    const r = await this.db.query<{ person_id: string }>('SELECT person_id FROM identities WHERE distinct_id = $1', [id]);
    return r[0]?.person_id ?? id;
  }

  /** Every id known for a person, the person's own id first. */
  async idsOf(personId: string): Promise<{ anonymousIds: string[]; userIds: string[] }> {
    const rows = await this.db.query<{ distinct_id: string; kind: string }>(
      'SELECT distinct_id, kind FROM identities WHERE person_id = $1 ORDER BY first_seen, distinct_id',
      [personId],
    );
    const userIds = [personId, ...rows.filter((r) => r.kind === 'user' && r.distinct_id !== personId).map((r) => r.distinct_id)];
    return { anonymousIds: rows.filter((r) => r.kind === 'anonymous').map((r) => r.distinct_id), userIds };
  }
}

/**
 * The common case in bulk: known users registered, and never-seen ids tied to them, in a few set-based
 * statements. Returns the links that need the careful per-link path (alias merges, ids already tied to
 * someone, an id claimed twice in the same batch).
 */
async function applySimpleLinks(tx: SqlExecutor, links: readonly IdentityLink[], out: Map<string, Row>): Promise<IdentityLink[]> {
  const users = [...new Set(links.map((l) => l.to))];
  const created = await tx.query<Row>(
    `INSERT INTO identities (distinct_id, person_id, kind) SELECT u, u, 'user' FROM unnest($1::text[]) AS u
     ON CONFLICT (distinct_id) DO UPDATE SET kind = 'user' WHERE identities.kind <> 'user'
     RETURNING distinct_id, person_id, version`,
    [users],
  );
  for (const r of created) out.set(r.distinct_id, r);
  const froms = [...new Set(links.filter((l) => l.from !== l.to).map((l) => l.from))];
  const known = new Set(
    (await tx.query<{ distinct_id: string }>('SELECT distinct_id FROM identities WHERE distinct_id = ANY($1::text[])', [froms])).map((r) => r.distinct_id),
  );
  // an id claimed by two different users in one batch needs the careful path; the same pair repeated does not
  const claims = new Map<string, Set<string>>();
  for (const l of links) if (l.from !== l.to) (claims.get(l.from) ?? claims.set(l.from, new Set()).get(l.from)!).add(l.to);
  const firstOfPair = new Map<string, IdentityLink>();
  for (const l of links) if (l.from !== l.to && !firstOfPair.has(`${l.from}\u0000${l.to}`)) firstOfPair.set(`${l.from}\u0000${l.to}`, l);
  const simple = [...firstOfPair.values()].filter((l) => l.via !== 'alias' && !known.has(l.from) && claims.get(l.from)!.size === 1);
  if (simple.length > 0) {
    const rows = await tx.query<Row>(
      `INSERT INTO identities (distinct_id, person_id, kind)
       SELECT f, i.person_id, 'anonymous' FROM unnest($1::text[], $2::text[]) AS l(f, t) JOIN identities i ON i.distinct_id = l.t
       RETURNING distinct_id, person_id, version`,
      [simple.map((l) => l.from), simple.map((l) => l.to)],
    );
    for (const r of rows) out.set(r.distinct_id, r);
    await tx.query(
      `INSERT INTO identity_links (from_id, to_id, via, message_id, outcome)
       SELECT f, t, v, m, 'linked' FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS l(f, t, v, m)`,
      [simple.map((l) => l.from), simple.map((l) => l.to), simple.map((l) => l.via), simple.map((l) => l.messageId)],
    );
  }
  const done = new Set(simple.map((l) => `${l.from}\u0000${l.to}`));
  return links.filter((l) => l.from !== l.to && !done.has(`${l.from}\u0000${l.to}`));
}

async function ensureUser(tx: SqlExecutor, userId: string): Promise<string> {
  const rows = await tx.query<{ person_id: string }>(
    `INSERT INTO identities (distinct_id, person_id, kind) VALUES ($1, $1, 'user')
     ON CONFLICT (distinct_id) DO UPDATE SET kind = 'user' RETURNING person_id`,
    [userId],
  );
  return rows[0]!.person_id;
}

async function record(tx: SqlExecutor, link: IdentityLink, outcome: string): Promise<void> {
  await tx.query('INSERT INTO identity_links (from_id, to_id, via, message_id, outcome) VALUES ($1, $2, $3, $4, $5)', [
    link.from,
    link.to,
    link.via,
    link.messageId,
    outcome,
  ]);
}

/** One link of two different ids whose target user `applySimpleLinks` has registered already. */
async function applyLink(tx: SqlExecutor, link: IdentityLink): Promise<Row[]> {
  const person = await ensureUser(tx, link.to);
  const current = await tx.query<{ person_id: string; kind: string }>(
    'SELECT person_id, kind FROM identities WHERE distinct_id = $1',
    [link.from],
  );
  const existing = current[0];
  if (!existing) {
    const kind = link.via === 'alias' ? 'user' : 'anonymous';
    const rows = await tx.query<Row>(
      `INSERT INTO identities (distinct_id, person_id, kind) VALUES ($1, $2, $3) RETURNING distinct_id, person_id, version`,
      [link.from, person, kind],
    );
    await record(tx, link, 'linked');
    return rows;
  }
  if (existing.person_id === person) return [];
  if (link.via !== 'alias') {
    // An anonymous device already tied to another known user (a shared device): identify alone
    // never merges two known people; only an explicit alias does.
    await record(tx, link, `kept: already belongs to ${existing.person_id}`);
    return [];
  }
  const moved = await tx.query<Row>(
    `UPDATE identities SET person_id = $1, version = nextval('identity_version') WHERE person_id = $2
     RETURNING distinct_id, person_id, version`,
    [person, existing.person_id],
  );
  await record(tx, link, `merged ${existing.person_id} into ${person}`);
  return moved;
}
