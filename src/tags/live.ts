import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';
import type { EventRow } from '../events/index.ts';
import { refreshPersons, type BuildDeps, type Sent } from './build.ts';
import { IDENTIFY } from './compile/inputs.ts';

/**
 * Keeps real-time tags fresh: the writer reports the ids whose events it stored, and what each sent;
 * after a short gathering delay their people's real-time tags that read any of it are recomputed from
 * their whole history and written with a newer version. One refresh runs at a time; ids arriving
 * meanwhile wait for the next.
 * Losing the pending set (a crash) only delays values until the next scheduled build.
 */
export class LiveRefresher {
  /** ids waiting, with what each sent (event names, `identify`); null: every tag (src/tags/build.ts, Sent) */
  private pending = new Map<string, Set<string> | null>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly seconds?: Histogram;
  /** when each pending id was first reported, for the freshness histogram */
  private since = new Map<string, number>();
  private readonly freshness?: Histogram;
  /** told after each refresh which people were refreshed (and all their ids): segment membership listens */
  onRefreshed?: (r: { persons: string[]; ids: string[] }) => Promise<void>;
  /** resolves waiters once everything reported before their call is refreshed */
  private waiters: (() => void)[] = [];

  constructor(
    private readonly deps: BuildDeps,
    private readonly delayMs: number,
    private readonly log?: Logger,
    registry?: Registry,
    private readonly batch = 5000,
  ) {
    if (registry) {
      this.seconds = new Histogram({
        name: 'hx_tag_refresh_seconds',
        help: 'time to recompute the real-time tags (and segment memberships) of the people behind one batch of stored events',
        buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
        registers: [registry],
      });
      this.freshness = new Histogram({
        name: 'hx_live_freshness_seconds',
        help: 'segment and tag freshness: from a batch of events being stored to its people\'s real-time tags, segment memberships and recommendation profiles being current (the oldest event of each refresh)',
        buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
        registers: [registry],
      });
    }
  }

  /** ids whose events were just stored, with what each sent; an id `sent` does not name gets every tag */
  changed(ids: Iterable<string>, sent?: Sent): void {
    if (this.stopped) return;
    for (const id of ids) {
      if (!id) continue;
      const what = sent?.get(id);
      if (!this.pending.has(id)) {
        this.pending.set(id, what ? new Set(what) : null);
        this.since.set(id, Date.now());
        continue;
      }
      const had = this.pending.get(id);
      if (!had) continue;
      if (!what) this.pending.set(id, null);
      else for (const x of what) had.add(x);
    }
    this.schedule();
  }

  /** Resolves when what was reported so far has been refreshed (tests, the build command). */
  async settled(): Promise<void> {
    if (this.pending.size === 0 && !this.running) return;
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(): void {
    if (this.timer || this.running || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.run().finally(() => {
        this.running = null;
        if (this.pending.size > 0) this.schedule();
        else for (const w of this.waiters.splice(0)) w();
      });
    }, this.delayMs);
  }

  private async run(): Promise<void> {
    const ids = [...this.pending.keys()].slice(0, this.batch);
    const sent = new Map<string, Set<string>>();
    let oldest = Infinity;
    for (const id of ids) {
      const what = this.pending.get(id);
      if (what) sent.set(id, what);
      this.pending.delete(id);
      oldest = Math.min(oldest, this.since.get(id) ?? Infinity);
      this.since.delete(id);
    }
    const end = this.seconds?.startTimer();
    try {
      const r = await refreshPersons(this.deps, ids, { sent });
      this.log?.debug({ ids: ids.length, persons: r.persons.length }, 'tags refreshed');
      await this.onRefreshed?.(r);
      if (Number.isFinite(oldest)) this.freshness?.observe((Date.now() - oldest) / 1000);
    } catch (err) {
      // the next scheduled build recomputes them; keep serving
      this.log?.warn({ err, ids: ids.length }, 'live tag refresh failed');
    } finally {
      end?.();
    }
  }
}

/**
 * What each distinct id of a flush's rows sent (event names, `identify`), for `changed`. Ids whose identity
 * the flush changed, and those of alias and group messages, are left out: they get every tag.
 */
export function sentBy(rows: readonly EventRow[], relinked: ReadonlySet<string>): Map<string, Set<string>> {
  const sent = new Map<string, Set<string>>();
  const everything = new Set<string>();
  for (const r of rows) {
    const id = r.distinct_id;
    if (everything.has(id)) continue;
    if (r.type === 'alias' || r.type === 'group' || [id, r.user_id, r.anonymous_id, r.previous_id].some((x) => x && relinked.has(x))) {
      everything.add(id);
      sent.delete(id);
      continue;
    }
    const what = sent.get(id) ?? new Set<string>();
    what.add(r.type === 'identify' ? IDENTIFY : r.event);
    sent.set(id, what);
  }
  return sent;
}
