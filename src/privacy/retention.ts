import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import type { AuditLog } from './audit.ts';
import { trimEventCopies } from './retentionCopies.ts';

/** The data classes with a retention period, and the column that dates a row. */
export const DATA_CLASSES = {
  events: { store: 'olap', table: 'events', column: 'timestamp', description: 'behaviour events (raw)' },
  dead_letters: { store: 'olap', table: 'dead_letters', column: 'received_at', description: 'rejected messages with their payload' },
  tag_snapshots: { store: 'olap', table: 'tag_snapshots', column: 'snapshot_date', description: 'dated copies of full builds\' tag values' },
  segment_changes: { store: 'olap', table: 'segment_changes', column: 'at', description: 'segment entries and exits' },
  webhook_deliveries: { store: 'oltp', table: 'webhook_deliveries', column: 'created_at', description: 'delivered or abandoned segment webhooks' },
} as const;
export type DataClass = keyof typeof DATA_CLASSES;

/**
 * Days each class is kept; a class left out is kept until deleted. Events have no default: a shop that
 * imports years of history must choose its own period, or a daily job would delete what it just loaded.
 * The other defaults match (or tighten) the table TTLs in the migrations.
 */
export const DEFAULT_RETENTION: Partial<Record<DataClass, number>> = {
  dead_letters: 90,
  tag_snapshots: 400,
  segment_changes: 400,
  webhook_deliveries: 30,
};

/** The periods of the configuration's `retention` section (HX_RETENTION_<CLASS>_DAYS); 0 keeps a class until deleted. */
export function configuredRetention(c: Config['retention']): Partial<Record<DataClass, number>> {
  const days: Record<DataClass, number> = {
    events: c.eventsDays,
    dead_letters: c.deadLettersDays,
    tag_snapshots: c.tagSnapshotsDays,
    segment_changes: c.segmentChangesDays,
    webhook_deliveries: c.webhookDeliveriesDays,
  };
  return Object.fromEntries(Object.entries(days).filter(([, d]) => d > 0));
}

export interface RetentionDeps {
  /** the periods come from its `retention` section; without one, DEFAULT_RETENTION */
  config?: Pick<Config, 'retention'>;
  olap: OlapStore;
  oltp: OltpStore;
  audit: AuditLog;
  log: Logger;
}

export interface RetentionRun {
  at: string;
  /** class → rows removed (or, in a dry run, that would be) */
  removed: Partial<Record<DataClass, number>>;
  /** class → whole monthly partitions dropped */
  partitionsDropped: Partial<Record<DataClass, number>>;
  dryRun: boolean;
  /** when events went: per table filled from them (src/privacy/retentionCopies.ts), rows removed or summaries recounted */
  copies?: Record<string, number>;
}

const DAY = 86_400_000;

/**
 * Retention periods per data class, enforced by a job: every row older than its class's period is removed.
 * In ClickHouse, monthly partitions wholly past the cutoff are dropped (instant), and the rest of the
 * expired rows are deleted with one lightweight delete per table. Each run is audited (`retention.enforce`).
 */
export class Retention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<RetentionRun> | null = null;
  /** days per class in force: the configuration's, or the code defaults */
  readonly days: Partial<Record<DataClass, number>>;

  constructor(
    private readonly d: RetentionDeps,
    days?: Partial<Record<DataClass, number>>,
  ) {
    this.days = days ?? (d.config ? configuredRetention(d.config.retention) : DEFAULT_RETENTION);
  }

  /** Runs once. `days` overrides the configured periods for this run; `dryRun` only counts. */
  async enforce(o: { now?: Date; days?: Partial<Record<DataClass, number>>; dryRun?: boolean; actor?: string } = {}): Promise<RetentionRun> {
    const now = o.now ?? new Date();
    const days = { ...this.days, ...o.days };
    const run: RetentionRun = { at: now.toISOString(), removed: {}, partitionsDropped: {}, dryRun: !!o.dryRun };
    for (const [name, period] of Object.entries(days) as [DataClass, number][]) {
      if (!(period > 0)) continue;
      const cutoff = new Date(now.getTime() - period * DAY);
      const c = DATA_CLASSES[name];
      if (c.store === 'oltp') {
        const rows = o.dryRun
          ? await this.d.oltp.query(`SELECT 1 FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1`, [cutoff.toISOString()])
          : await this.d.oltp.query(`DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1 RETURNING 1`, [cutoff.toISOString()]);
        run.removed[name] = rows.length;
        continue;
      }
      const r = await this.olapClass(c.table, c.column, cutoff, !!o.dryRun);
      run.removed[name] = r.rows;
      run.partitionsDropped[name] = r.partitions;
      if (name === 'events' && r.rows > 0 && !o.dryRun) {
        run.copies = await trimEventCopies(this.d.olap, cutoff, async (table, column) => (await this.olapClass(table, column, cutoff, false)).rows);
      }
    }
    if (!o.dryRun) {
      await this.d.audit.record({ actor: o.actor ?? 'system', role: 'system', action: 'retention.enforce', subjectType: 'retention', subjectId: 'all', details: { days, removed: run.removed, ...(run.copies ? { copies: run.copies } : {}) } });
    }
    return run;
  }

  private async olapClass(table: string, column: string, cutoff: Date, dryRun: boolean): Promise<{ rows: number; partitions: number }> {
    const { olap } = this.d;
    const p = { cutoff: cutoff.getTime() };
    const before = `${column} < fromUnixTimestamp64Milli({cutoff:Int64})`;
    const [n] = await olap.query<{ n: string }>(`SELECT count() AS n FROM ${olap.db}.${table} WHERE ${before}`, p);
    const rows = Number(n?.n ?? 0);
    if (rows === 0 || dryRun) return { rows, partitions: 0 };
    const local = olap.mutationTarget(table);
    const expired = await olap.query<{ p: string }>(
      `SELECT _partition_id AS p FROM ${olap.db}.${table} GROUP BY p HAVING max(${column}) < fromUnixTimestamp64Milli({cutoff:Int64})`,
      p,
    );
    for (const { p: id } of expired) await olap.command(`ALTER TABLE ${local} DROP PARTITION ID {id:String}`, { id });
    const [left] = await olap.query<{ n: string }>(`SELECT count() AS n FROM ${olap.db}.${table} WHERE ${before}`, p);
    // a classic lightweight delete: a mutation of the parts, fine for a daily job and unlike a patch part
    // it does not grow with the number of rows removed
    if (Number(left?.n ?? 0) > 0) await olap.command(`DELETE FROM ${local} WHERE ${before}`, p);
    return { rows, partitions: expired.length };
  }

  /** Enforces now and then every `everyHours` (serve only); one run at a time. */
  schedule(everyHours = 24): void {
    if (this.timer) return;
    const tick = () => {
      if (this.running) return;
      this.running = this.enforce().finally(() => (this.running = null));
      this.running.then(
        (r) => this.d.log.info({ removed: r.removed }, 'retention enforced'),
        (err) => this.d.log.warn({ err }, 'retention run failed'),
      );
    };
    this.timer = setInterval(tick, everyHours * 3_600_000);
    this.timer.unref();
    setTimeout(tick, 60_000).unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer), (this.timer = null);
    await this.running?.catch(() => undefined);
  }
}
