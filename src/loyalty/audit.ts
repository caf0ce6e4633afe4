import type { OltpStore, SqlExecutor } from '../store/oltp/index.ts';

export interface LoyaltyAuditEntry {
  /** who: an API token id, `cli:<user>` or `system` */
  actor: string;
  role: string;
  /** `points.adjust`, `coupon.issue`, `coupon_template.create`, `loyalty_rule.put`, `loyalty_tier.put` */
  action: string;
  /** `points_account`, `coupon_template`, `loyalty_rule`, `loyalty_tier` */
  subjectType: string;
  subjectId: string;
  details?: Record<string, unknown>;
}

/** Where audit entries go: the platform's AuditLog (src/privacy/audit.ts) fits, and so does LoyaltyAudit. */
export interface AuditSink {
  record(e: LoyaltyAuditEntry, tx?: SqlExecutor): Promise<unknown>;
}

/**
 * Loyalty's changes by people go to the platform's append-only audit log (`audit_log`, written in the
 * same transaction as the change when one is given). The ledger keeps operator and reason on every
 * adjustment in any case; when the audit table is not there (an older schema) the entry is skipped.
 */
export class LoyaltyAudit implements AuditSink {
  private present: Promise<boolean> | null = null;

  constructor(private readonly db: OltpStore) {}

  async record(e: LoyaltyAuditEntry, tx: SqlExecutor = this.db): Promise<boolean> {
    // asked through tx: PGlite runs one thing at a time, so a query beside an open transaction would wait for it
    this.present ??= tx.query<{ t: string | null }>(`SELECT to_regclass('audit_log')::text AS t`).then((r) => r[0]?.t != null);
    if (!(await this.present)) return false;
    await tx.query(
      'INSERT INTO audit_log (actor, role, action, subject_type, subject_id, details) VALUES ($1, $2, $3, $4, $5, $6)',
      [e.actor, e.role, e.action, e.subjectType, e.subjectId, JSON.stringify(e.details ?? {})],
    );
    return true;
  }
}
