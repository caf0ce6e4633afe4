import type { Logger } from 'pino';
import { timedBuild } from '../metrics.ts';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import { currentBuild, fullBuild, lastThresholds, type BuildDeps, type BuildResult } from './build.ts';
import type { TagDef } from './dsl.ts';
import { explain } from './explain.ts';
import { LiveRefresher } from './live.ts';
import { preview } from './preview.ts';
import { Taxonomy } from './taxonomy.ts';
import { valuesOf, valuesOfMany, type StoredValue } from './values.ts';

export interface BuildInfo {
  id: string;
  startedAt: string;
  finishedAt: string | null;
  asOf: string;
  status: string;
  trigger: string;
  persons: number | null;
  timings: Record<string, number>;
  error: string | null;
}

export interface TagStatsView {
  persons: number;
  covered: number;
  coverage: number;
  distribution: { value: string; count: number }[];
  numeric: unknown;
  buildId: string;
  builtAt: string;
}

/** The tag engine as the rest of the program sees it: taxonomy, builds, live refresh, reads. */
export class TagEngine {
  readonly taxonomy: Taxonomy;
  readonly live: LiveRefresher;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly rt: { olap: OlapStore; oltp: OltpStore; log: Logger; registry?: Registry },
    private readonly config: Pick<Config, 'timezone' | 'tags'>,
  ) {
    this.taxonomy = new Taxonomy(rt.oltp);
    this.live = new LiveRefresher(this.deps, config.tags.refreshDelayMs, rt.log, rt.registry);
  }

  get deps(): BuildDeps {
    return { olap: this.rt.olap, oltp: this.rt.oltp, taxonomy: this.taxonomy, timezone: this.config.timezone, log: this.rt.log };
  }

  /** Seeds the built-in library (idempotent). */
  async init(): Promise<void> {
    await this.taxonomy.seed();
  }

  /** Serving: a first build when there is none yet (in the background), then one every N minutes. */
  schedule(): void {
    const every = this.config.tags.buildEveryMinutes;
    void this.builds(1).then(async (b) => {
      if (b.length === 0 && (await this.hasEvents())) await this.build({ trigger: 'startup' });
    }).catch((err) => this.rt.log.warn({ err }, 'startup tag build failed'));
    if (every > 0) {
      this.timer = setInterval(() => void this.build({ trigger: 'schedule' }).catch((err) => this.rt.log.warn({ err }, 'scheduled tag build failed')), every * 60_000);
      this.timer.unref();
    }
  }

  build(o: { asOf?: Date; trigger: string }): Promise<BuildResult> {
    return timedBuild(this.rt.registry, 'tags', () => fullBuild(this.deps, o));
  }

  async valuesOf(personId: string): Promise<{ defs: Map<string, TagDef>; values: StoredValue[] }> {
    const defs = await this.taxonomy.definitions();
    return { defs, values: await valuesOf(this.rt.olap, personId, defs) };
  }

  /** Several people's current values in one read: person → values. */
  async valuesOfMany(personIds: readonly string[]): Promise<{ defs: Map<string, TagDef>; values: Map<string, StoredValue[]> }> {
    const defs = await this.taxonomy.definitions();
    return { defs, values: await valuesOfMany(this.rt.olap, personIds, defs) };
  }

  async explain(personId: string, code: string) {
    const { values } = await this.valuesOf(personId);
    return explain(this.deps, personId, code, values.find((v) => v.code === code)?.value ?? null);
  }

  async preview(input: unknown, by: string) {
    const def = await this.taxonomy.check(input, by);
    return preview(this.deps, def, await lastThresholds(this.rt.oltp));
  }

  async builds(limit = 20): Promise<BuildInfo[]> {
    const rows = await this.rt.oltp.query<{ id: string; started_at: Date | string; finished_at: Date | string | null; as_of: Date | string; status: string; trigger: string; persons: string | null; timings: Record<string, number>; error: string | null }>(
      'SELECT * FROM tag_builds ORDER BY started_at DESC LIMIT $1', [limit]);
    return rows.map((r) => ({
      id: r.id, startedAt: iso(r.started_at)!, finishedAt: iso(r.finished_at), asOf: iso(r.as_of)!, status: r.status, trigger: r.trigger,
      persons: r.persons === null ? null : Number(r.persons), timings: r.timings, error: r.error,
    }));
  }

  /** Coverage and distribution of every tag in the last successful build. */
  async coverage(): Promise<Map<string, number>> {
    const rows = await this.rt.oltp.query<{ tag_code: string; covered: string; persons: string }>(
      `SELECT s.tag_code, s.covered, s.persons FROM tag_build_stats s
       WHERE s.build_id = (SELECT id FROM tag_builds WHERE status = 'done' ORDER BY started_at DESC LIMIT 1)`);
    return new Map(rows.map((r) => [r.tag_code, Number(r.persons) ? Number(r.covered) / Number(r.persons) : 0]));
  }

  async stats(code: string): Promise<TagStatsView | null> {
    const history = await this.history(code, 1);
    return history[0] ?? null;
  }

  /** Per build, newest first: coverage and distribution (a tag's drift over time). */
  async history(code: string, limit = 30): Promise<(TagStatsView & { date: string })[]> {
    const rows = await this.rt.oltp.query<{ build_id: string; covered: string; persons: string; distribution: TagStatsView['distribution']; numeric: unknown; finished_at: Date | string; as_of: Date | string }>(
      `SELECT s.build_id, s.covered, s.persons, s.distribution, s.numeric, b.finished_at, b.as_of
       FROM tag_build_stats s JOIN tag_builds b ON b.id = s.build_id
       WHERE s.tag_code = $1 AND b.status = 'done' ORDER BY b.started_at DESC LIMIT $2`, [code, limit]);
    return rows.map((r) => ({
      persons: Number(r.persons), covered: Number(r.covered), coverage: Number(r.persons) ? Number(r.covered) / Number(r.persons) : 0,
      distribution: r.distribution, numeric: r.numeric, buildId: r.build_id, builtAt: iso(r.finished_at)!, date: iso(r.as_of)!.slice(0, 10),
    }));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.live.stop();
    await currentBuild()?.catch(() => undefined);
  }

  private async hasEvents(): Promise<boolean> {
    const r = await this.rt.olap.query<{ n: number }>(`SELECT count() AS n FROM (SELECT 1 FROM ${this.rt.olap.db}.events LIMIT 1)`);
    return Number(r[0]!.n) > 0;
  }
}

function iso(v: Date | string | null): string | null {
  return v === null ? null : new Date(v).toISOString();
}
