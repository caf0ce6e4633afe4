import pg from 'pg';
import type { Logger } from 'pino';
import type { OltpStore, SqlExecutor } from '../store/oltp/index.ts';

/** Any constant works as long as every node of one deployment uses the same; 7_246_001 is the migration lock. */
export const LEADER_LOCK = 7_246_002;

/**
 * Who runs the scheduled jobs. One node at a time is the leader; the others wait to take over.
 * `session` runs statements where leadership is held, and `fence` is an SQL condition that is true only
 * while it is: a claim made as `… WHERE <fence>` on `session` cannot succeed on a node that lost the lead.
 */
export interface Leadership {
  readonly leader: boolean;
  readonly node: string;
  readonly session: SqlExecutor;
  readonly fence: string;
  /** called on becoming leader and on losing the lead (connection lost, stopped) */
  onChange(fn: (leader: boolean) => void): void;
  start(): void;
  /** gives the lead up (the lock is released) and stops campaigning */
  stop(): Promise<void>;
}

abstract class Base {
  leader = false;
  private readonly listeners: ((leader: boolean) => void)[] = [];
  onChange(fn: (leader: boolean) => void): void {
    this.listeners.push(fn);
  }
  protected set(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    for (const fn of this.listeners) fn(leader);
  }
}

/** Embedded PGlite belongs to one process, so that process is the only possible leader. */
export class SoleLeader extends Base implements Leadership {
  readonly fence = 'TRUE';
  constructor(readonly node: string, readonly session: SqlExecutor) {
    super();
  }
  start(): void {
    this.set(true);
  }
  async stop(): Promise<void> {
    this.set(false);
  }
}

export interface AdvisoryLockOptions {
  url: string;
  node: string;
  log: Logger;
  key?: number;
  /** how often a follower tries the lock and the leader checks its session (ms) */
  retryMs?: number;
}

/**
 * Leader election over a Postgres session-level advisory lock (`pg_try_advisory_lock`) held on a
 * dedicated connection, not a pooled one: the lock lives exactly as long as that session. A stopped or
 * killed process closes the connection and the server frees the lock at once; a silent network loss is
 * noticed by TCP keepalives set on the session (about 11 s) and, on this side, by the heartbeat failing.
 */
export class AdvisoryLockLeader extends Base implements Leadership {
  readonly node: string;
  readonly fence: string;
  readonly session: SqlExecutor;
  private readonly key: number;
  private readonly retryMs: number;
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private busy: Promise<void> | null = null;

  constructor(private readonly o: AdvisoryLockOptions) {
    super();
    this.node = o.node;
    this.key = o.key ?? LEADER_LOCK;
    if (!Number.isInteger(this.key) || this.key < 0 || this.key > 0xffffffff) throw new Error('leader lock key must fit 32 bits');
    this.retryMs = o.retryMs ?? 2000;
    // a bigint lock key k < 2^32 shows in pg_locks as classid 0, objid k, objsubid 1; checked on this session
    this.fence = `EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() AND classid = 0 AND objid = ${this.key}::bigint::oid AND objsubid = 1)`;
    this.session = {
      query: async <T>(sql: string, params: unknown[] = []) => {
        if (!this.client) throw new Error('not connected');
        return (await this.client.query(sql, params)).rows as T[];
      },
      exec: async (sql: string) => {
        if (!this.client) throw new Error('not connected');
        await this.client.query(sql);
      },
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tick();
  }

  private tick(): void {
    if (this.stopped) return;
    this.busy = this.attempt().finally(() => {
      this.busy = null;
      if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.retryMs);
    });
  }

  private async attempt(): Promise<void> {
    try {
      if (!this.client) await this.connect();
      if (!this.leader) {
        const [row] = await this.session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [this.key]);
        if (row?.ok) {
          this.o.log.info({ node: this.node }, 'elected leader: scheduled jobs run here');
          this.set(true);
        }
      } else {
        // the heartbeat: the session still answers and still holds the lock
        const [row] = await this.session.query<{ held: boolean }>(`SELECT ${this.fence} AS held`);
        if (!row?.held) this.lose('the leader lock is no longer held');
      }
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message, node: this.node }, 'leader election: Postgres session failed; reconnecting');
      this.drop();
    }
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.o.url,
      connectionTimeoutMillis: 5000,
      // a query on this session that hangs (a half-open connection) counts as a lost session
      query_timeout: 5000,
      keepAlive: true,
      application_name: `huaxiang:${this.node}`.slice(0, 63),
      // the server side gives the lock up about 11 s after the network to this node goes silent
      options: '-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3',
    });
    client.on('error', (err) => {
      this.o.log.warn({ err: err.message, node: this.node }, 'leader election: session error');
      if (this.client === client) this.drop();
    });
    await client.connect();
    this.client = client;
  }

  private lose(reason: string): void {
    if (this.leader) this.o.log.warn({ node: this.node, reason }, 'lost the lead: scheduled jobs stop here');
    this.set(false);
  }

  /** Forgets the session (a dead session holds no lock) and demotes. */
  private drop(): void {
    const c = this.client;
    this.client = null;
    void c?.end().catch(() => undefined);
    this.lose('the Postgres session was lost');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy;
    const c = this.client;
    this.client = null;
    this.set(false);
    if (c) {
      await c.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await c.end().catch(() => undefined);
    }
  }
}

/** The leadership for a store: an advisory lock on a Postgres server, else the sole (embedded) process. */
export function leadershipFor(o: { url?: string; oltp: OltpStore; node: string; log: Logger; key?: number; retryMs?: number }): Leadership {
  return o.url ? new AdvisoryLockLeader({ url: o.url, node: o.node, log: o.log, key: o.key, retryMs: o.retryMs }) : new SoleLeader(o.node, o.oltp);
}

/** The node holding the leader lock on this database, by its session's application name (null: none). */
export async function currentLeader(db: SqlExecutor, key = LEADER_LOCK): Promise<string | null> {
  const rows = await db.query<{ name: string }>(
    `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1::bigint::oid AND l.objsubid = 1
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [key],
  );
  return rows[0]?.name.replace(/^huaxiang:/, '') ?? null;
}
