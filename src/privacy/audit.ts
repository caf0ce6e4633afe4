import type { OltpStore, SqlExecutor } from '../store/oltp/index.ts';

/**
 * Actions the platform records. Free text is allowed (a module adds its own, e.g. `points.adjust`), but
 * use `<subject>.<verb>` so the dashboard's action filter groups them.
 */
export type AuditAction =
  | 'pii.view' | 'pii.unmask' | 'profile.export' | 'profile.erase' | 'profile.rectify'
  | 'tag.create' | 'tag.update' | 'tag.deprecate'
  | 'segment.create' | 'segment.update' | 'segment.delete'
  | 'campaign.create' | 'campaign.update' | 'campaign.send'
  | 'points.adjust'
  | (string & {});

export interface AuditEntry {
  /** who: an API token id (`tok_…`), `cli:<user>`, or `system` */
  actor: string;
  role: string;
  action: AuditAction;
  /** what kind of thing was touched: `person`, `tag`, `segment`, `campaign`, `points_account` … */
  subjectType: string;
  /**
   * its id; for `person` subjects pass the person id (the userId the identity graph resolves any of their
   * ids to, `identity.personOf`), so one search finds everything done to them. The log keeps a keyed
   * pseudonym of it, never the id itself.
   */
  subjectId: string;
  details?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  at: string;
  details: Record<string, unknown>;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  /** a subject id; person ids are matched through their pseudonym */
  subject?: string;
  subjectType?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  /** keyset paging: only entries with an id below this */
  before?: number;
}

interface Row {
  id: string | number; at: Date | string; actor: string; role: string; action: string;
  subject_type: string; subject_id: string; details: Record<string, unknown> | string;
}

const toRecord = (r: Row): AuditRecord => ({
  id: Number(r.id), at: new Date(r.at).toISOString(), actor: r.actor, role: r.role, action: r.action,
  subjectType: r.subject_type, subjectId: r.subject_id, details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
});

/**
 * The append-only audit log in Postgres (table `audit_log`, migration 008). There is deliberately no
 * update or delete here; the table's trigger refuses them too.
 */
export class AuditLog {
  /** @param personKey the keyed pseudonym for person ids (see `personPseudonym`) */
  constructor(
    private readonly db: OltpStore,
    private readonly personKey: (id: string) => string,
  ) {}

  /** The id the log stores for a subject: person ids become pseudonyms. */
  subjectKey(subjectType: string, subjectId: string): string {
    return subjectType === 'person' ? this.personKey(subjectId) : subjectId;
  }

  /** Appends one entry. Pass `tx` to write it in the same transaction as the change it records. */
  async record(e: AuditEntry, tx: SqlExecutor = this.db): Promise<AuditRecord> {
    const rows = await tx.query<Row>(
      `INSERT INTO audit_log (actor, role, action, subject_type, subject_id, details) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [e.actor, e.role, e.action, e.subjectType, this.subjectKey(e.subjectType, e.subjectId), JSON.stringify(e.details ?? {})],
    );
    return toRecord(rows[0]!);
  }

  /** Newest first. `action` matches exactly or as a prefix ending in `.` (e.g. `segment.`). */
  async search(q: AuditQuery = {}): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, v: unknown) => { params.push(v); where.push(sql(`$${params.length}`)); };
    if (q.actor) add((p) => `actor = ${p}`, q.actor);
    if (q.action) {
      if (q.action.endsWith('.')) add((p) => `starts_with(action, ${p})`, q.action);
      else add((p) => `action = ${p}`, q.action);
    }
    if (q.subjectType) add((p) => `subject_type = ${p}`, q.subjectType);
    if (q.subject) {
      params.push(q.subject, this.personKey(q.subject));
      where.push(`(subject_id = $${params.length - 1} OR (subject_type = 'person' AND subject_id = $${params.length}))`);
    }
    if (q.from) add((p) => `at >= ${p}`, q.from.toISOString());
    if (q.to) add((p) => `at < ${p}`, q.to.toISOString());
    if (q.before) add((p) => `id < ${p}`, q.before);
    params.push(Math.min(Math.max(q.limit ?? 100, 1), 1000));
    const rows = await this.db.query<Row>(
      `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toRecord);
  }
}
