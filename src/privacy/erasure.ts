import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { IdentityGraph } from '../identity/index.ts';
import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import type { AuditLog } from './audit.ts';
import type { Tombstones } from './tombstones.ts';

/** Who is being erased: every id the identity graph knows for them. */
export interface ErasureSubject {
  /** the id the request named */
  userId: string;
  /** the person it resolves to */
  personId: string;
  /**
   * every distinct id (userIds and anonymousIds) of the person, the person id first. Stores keyed by person
   * id match on all of them too: a value computed before two ids were linked is keyed by the id it had then.
   */
  ids: string[];
}

/**
 * One place that holds personal data. Each module that stores rows about a person registers one
 * (events, tags, segments here; recommendations, loyalty, campaigns in their own modules), and the
 * erasure service runs them all. `count` and `erase` see the same rows; `export` is optional and feeds
 * the right of access.
 */
export interface Erasable {
  /** the receipt's key, e.g. `olap.events` or `oltp.identities` */
  name: string;
  /** what it holds, for docs/privacy.md and the receipt's reader */
  description: string;
  /** `erased` removes rows; `anonymised` keeps them with the person's ids removed (e.g. ledgers the law keeps) */
  mode?: 'erased' | 'anonymised';
  count(s: ErasureSubject): Promise<number>;
  /** Removes (or anonymises) the subject's rows; returns how many when the store can tell, else void. */
  erase(s: ErasureSubject): Promise<number | void>;
  export?(s: ErasureSubject): Promise<unknown[]>;
}

export interface ErasureReceipt {
  id: string;
  userId: string;
  erasedAt: string;
  /** store name → rows removed or anonymised */
  stores: Record<string, number>;
  /** how many distinct ids the person had */
  ids: number;
  seconds: number;
  /** store name → milliseconds spent counting and erasing there (not kept with the stored receipt) */
  timings: Record<string, number>;
}

/** The registered stores, in the order they run (events first, derived artefacts after). */
export class ErasureRegistry {
  private readonly stores: Erasable[] = [];

  /** Adds a store; one registered under an existing name replaces it (a module taking over its own table). */
  register(e: Erasable): void {
    const at = this.stores.findIndex((s) => s.name === e.name);
    if (at >= 0) this.stores[at] = e;
    else this.stores.push(e);
  }

  list(): readonly Erasable[] {
    return this.stores;
  }
}

export interface ErasureDeps {
  olap: OlapStore;
  oltp: OltpStore;
  identity: IdentityGraph;
  audit: AuditLog;
  tombstones: Tombstones;
  registry: ErasureRegistry;
  log: Logger;
}

export interface Actor {
  actor: string;
  role: string;
}

/** Resolves a user id to the person and every id they had: Postgres's flat map and the ClickHouse mirror. */
export async function resolveSubject(d: Pick<ErasureDeps, 'olap' | 'identity'>, userId: string): Promise<ErasureSubject> {
  const personId = await d.identity.personOf(userId);
  const { anonymousIds, userIds } = await d.identity.idsOf(personId);
  const mirrored = await d.olap.query<{ distinct_id: string }>(
    `SELECT DISTINCT distinct_id FROM ${d.olap.db}.person_ids WHERE person_id = {p:String}`,
    { p: personId },
  );
  const ids = [...new Set([personId, userId, ...userIds, ...anonymousIds, ...mirrored.map((r) => r.distinct_id)])];
  return { userId, personId, ids };
}

/**
 * Erasure: tombstone the person's ids (so ingestion drops anything still in flight or retried), then run
 * every registered store, then check each is empty for them and run any that is not once more (a live
 * tag refresh or segment evaluation that read the person just before the delete can write after it).
 * The receipt, with the counts per store, is kept (by pseudonym) and the erasure is audited.
 */
export class ErasureService {
  constructor(private readonly d: ErasureDeps) {}

  async erase(userId: string, by: Actor): Promise<ErasureReceipt> {
    const started = performance.now();
    const subject = await resolveSubject(this.d, userId);
    const id = `er_${randomBytes(8).toString('hex')}`;
    await this.d.tombstones.add(subject.ids, id);
    const stores: Record<string, number> = {};
    const timings: Record<string, number> = {};
    const timed = async (s: Erasable, fn: () => Promise<number>) => {
      const t = performance.now();
      const n = await fn();
      timings[s.name] = Math.round((timings[s.name] ?? 0) + performance.now() - t);
      return n;
    };
    // the stores are independent once the subject is resolved: run together, the engines overlap their
    // waits (a ClickHouse DELETE spends most of its time waiting for its mutation to be scheduled)
    const list = this.d.registry.list();
    const first = await Promise.all(list.map((s) => timed(s, () => this.run(s, subject))));
    list.forEach((s, i) => (stores[s.name] = first[i]!));
    await Promise.all(list.map(async (s) => {
      const left = await timed(s, () => s.count(subject));
      if (left > 0) {
        this.d.log.warn({ store: s.name, left }, 'rows reappeared during erasure; erasing again');
        stores[s.name]! += await timed(s, () => this.run(s, subject, left));
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    const receipt: ErasureReceipt = { id, userId, erasedAt: new Date().toISOString(), stores, ids: subject.ids.length, seconds, timings };
    await this.d.oltp.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO erasure_receipts (id, subject, requested_by, erased_at, ids, stores, seconds) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, this.d.audit.subjectKey('person', subject.personId), by.actor, receipt.erasedAt, receipt.ids, JSON.stringify(stores), seconds],
      );
      await this.d.audit.record({ ...by, action: 'profile.erase', subjectType: 'person', subjectId: subject.personId, details: { receipt: id, ids: subject.ids.length, stores } }, tx);
    });
    return receipt;
  }

  /** Counts first (the receipt's figure), then erases; a store that reports its own count is trusted over the pre-count. */
  private async run(s: Erasable, subject: ErasureSubject, known?: number): Promise<number> {
    const before = known ?? (await s.count(subject));
    if (before === 0) return 0;
    const done = await s.erase(subject);
    return typeof done === 'number' ? done : before;
  }

  /** A stored receipt by id (what the erasure removed), or null. */
  async receipt(id: string): Promise<Omit<ErasureReceipt, 'userId' | 'timings'> & { subject: string } | null> {
    const rows = await this.d.oltp.query<{ id: string; subject: string; erased_at: Date | string; ids: number; stores: Record<string, number> | string; seconds: number }>(
      'SELECT id, subject, erased_at, ids, stores, seconds FROM erasure_receipts WHERE id = $1',
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    return { id: r.id, subject: r.subject, erasedAt: new Date(r.erased_at).toISOString(), ids: Number(r.ids), stores: typeof r.stores === 'string' ? JSON.parse(r.stores) : r.stores, seconds: Number(r.seconds) };
  }
}
