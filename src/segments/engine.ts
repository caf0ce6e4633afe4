import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { timedBuild } from '../metrics.ts';
import type { Keyring } from '../privacy/keyring.ts';
import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import { personsOf } from '../tags/build.ts';
import type { TagEngine } from '../tags/index.ts';
import { members, parseRule, previewRule, RuleInputError, type EvalDeps } from './evaluate.ts';
import { applyMembers, type Change } from './membership.ts';
import { referencedSegments, type Rule } from './rule.ts';
import { SegmentStore, type Segment, type SegmentInput } from './store.ts';
import { WebhookDispatcher } from './webhooks.ts';

export interface SegmentDeps {
  olap: OlapStore;
  oltp: OltpStore;
  tags: TagEngine;
  keyring: Keyring;
  timezone: string;
  log: Logger;
  /** told every membership change (journeys start on "entered segment X") */
  onChange?: (segmentId: string, change: Change) => void;
  /** for hx_build_seconds{job="segments"} */
  registry?: Registry;
  /** the embedded engine's in-memory identity map (src/identity/engineMap.ts), when it has one */
  identityJoin?: string;
}

/** Segments as the rest of the program sees them: preview, saved segments, membership, views. */
export class SegmentEngine {
  readonly store: SegmentStore;
  readonly webhooks: WebhookDispatcher;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly d: SegmentDeps) {
    this.store = new SegmentStore(d.oltp, (s) => d.keyring.encrypt(s), (s) => d.keyring.decrypt(s));
    this.webhooks = new WebhookDispatcher(d.oltp, this.store, d.log);
  }

  set onChange(fn: ((segmentId: string, change: Change) => void) | undefined) {
    this.d.onChange = fn;
  }

  /** Which of some persons match a rule now (a journey's condition split). */
  async matching(rule: Rule, persons: string[]): Promise<string[]> {
    if (persons.length === 0) return [];
    const { all } = await personsOf(this.d.oltp, persons);
    return members(await this.evalDeps(), parseRule(rule), { persons, ids: all });
  }

  private async evalDeps(): Promise<EvalDeps> {
    return { olap: this.d.olap, defs: await this.d.tags.taxonomy.definitions(), timezone: this.d.timezone, identityJoin: this.d.identityJoin };
  }

  async preview(rule: unknown, sample = 10) {
    return previewRule(await this.evalDeps(), rule, sample);
  }

  async create(input: SegmentInput, by: string): Promise<Segment> {
    if (input.kind === 'static') {
      if (input.rule !== undefined) throw new RuleInputError('rule: a static segment holds a list of ids, not a rule (use kind "dynamic")', 'rule');
      const seg = await this.store.create({ name: input.name, description: input.description, kind: 'static', rule: null, webhook: input.webhook }, by);
      if (input.ids?.length) await this.setStaticMembers(seg.id, input.ids);
      return this.store.get(seg.id);
    }
    if (input.ids) throw new RuleInputError('ids: a dynamic segment is defined by its rule; use kind "static" for a list of ids', 'ids');
    const rule = parseRule(input.rule);
    await this.checkReferences(rule, null);
    await this.preview(rule, 1); // compiles and runs once, so a bad rule fails before it is saved
    const seg = await this.store.create({ name: input.name, description: input.description, kind: 'dynamic', rule, webhook: input.webhook }, by);
    await this.evaluate(seg.id, 'create');
    return this.store.get(seg.id);
  }

  async update(id: string, input: SegmentInput): Promise<Segment> {
    const seg = await this.store.get(id);
    const rule = seg.kind === 'dynamic' ? parseRule(input.rule ?? seg.rule) : null;
    if (rule) {
      await this.checkReferences(rule, id);
      await this.preview(rule, 1);
    }
    await this.store.update(id, { name: input.name, description: input.description, rule, webhook: input.webhook });
    if (seg.kind === 'static' && input.ids) await this.setStaticMembers(id, input.ids);
    if (rule) await this.evaluate(id, 'update');
    return this.store.get(id);
  }

  async remove(id: string): Promise<void> {
    const users = (await this.store.dynamic()).filter((s) => s.id !== id && referencedSegments(s.rule!).includes(id));
    if (users.length) throw new RuleInputError(`segment '${id}' is used by ${users.map((s) => s.id).join(', ')}`, 'id');
    await applyMembers({ ...this.d, store: this.store }, await this.store.get(id), [], null, 'delete');
    await this.store.remove(id);
  }

  /** Recomputes a dynamic segment's whole membership now. */
  async evaluate(id: string, source = 'schedule'): Promise<Change> {
    const seg = await this.store.get(id);
    if (seg.kind !== 'dynamic' || !seg.rule) return { entered: [], exited: [], size: seg.size };
    const next = await members(await this.evalDeps(), seg.rule);
    return applyMembers({ ...this.d, store: this.store }, seg, next, null, source);
  }

  /** After a live tag refresh: re-evaluates every dynamic segment for just the refreshed people. */
  async refreshPersons(r: { persons: string[]; ids: string[] }): Promise<void> {
    if (r.persons.length === 0) return;
    const deps = await this.evalDeps();
    for (const seg of inDependencyOrder(await this.store.dynamic())) {
      try {
        const next = await members(deps, seg.rule!, { persons: r.persons, ids: r.ids });
        await applyMembers({ ...this.d, store: this.store }, seg, next, r.persons, 'live');
      } catch (err) {
        this.d.log.warn({ err, segment: seg.id }, 'live segment evaluation failed');
      }
    }
  }

  /** A frozen copy of a segment's current members, as a new static segment. */
  async freeze(id: string, by: string): Promise<Segment> {
    const seg = await this.store.get(id);
    const ids = await this.memberIds(id);
    const copy = await this.store.create({ name: `${seg.name} (${new Date().toISOString().slice(0, 10)})`, description: `frozen copy of ${seg.id}`, kind: 'static', rule: null }, by);
    await applyMembers({ ...this.d, store: this.store }, copy, ids, null, 'freeze');
    return this.store.get(copy.id);
  }

  async memberIds(id: string, limit = 10_000_000): Promise<string[]> {
    const rows = await this.d.olap.query<{ person_id: string }>(
      `SELECT person_id FROM ${this.d.olap.db}.segment_members FINAL WHERE segment_id = {s:String} AND is_member = 1 ORDER BY person_id LIMIT {n:UInt64}`,
      { s: id, n: limit },
    );
    return rows.map((r) => r.person_id);
  }

  async changes(id: string, limit = 100): Promise<{ userId: string; change: string; at: string; source: string }[]> {
    const rows = await this.d.olap.query<{ person_id: string; change: string; at: string; source: string }>(
      `SELECT person_id, change, at, source FROM ${this.d.olap.db}.segment_changes WHERE segment_id = {s:String} ORDER BY at DESC, person_id LIMIT {n:UInt32}`,
      { s: id, n: limit },
    );
    return rows.map((r) => ({ userId: r.person_id, change: r.change, at: new Date(r.at.endsWith('Z') ? r.at : `${r.at.replace(' ', 'T')}Z`).toISOString(), source: r.source }));
  }

  /** Members by the values of one tag. */
  async composition(id: string, tag: string, limit = 20): Promise<{ value: string; count: number }[]> {
    const defs = await this.d.tags.taxonomy.definitions();
    const def = defs.get(tag);
    if (!def) throw new RuleInputError(`tag: no tag '${tag}'`, 'tag');
    const value = def.valueType === 'ranked' ? 'value_list[1]' : def.valueType === 'boolean' ? `if(value_num = 1, 'true', 'false')` : def.valueType === 'number' ? 'toString(value_num)' : 'value_str';
    const rows = await this.d.olap.query<{ v: string; n: number }>(
      `SELECT ${value} AS v, count() AS n FROM ${this.d.olap.db}.tag_values FINAL
       WHERE tag_code = {t:String} AND person_id IN (SELECT person_id FROM ${this.d.olap.db}.segment_members FINAL WHERE segment_id = {s:String} AND is_member = 1)
       GROUP BY v ORDER BY n DESC, v LIMIT {k:UInt32}`,
      { t: tag, s: id, k: limit },
    );
    return rows.map((r) => ({ value: r.v, count: Number(r.n) }));
  }

  /** Venn counts of 2–3 segments: every region, by which segments it lies in. */
  async overlap(ids: string[]): Promise<{ sizes: Record<string, number>; regions: { in: string[]; count: number }[] }> {
    for (const id of ids) await this.store.get(id);
    const bm = (i: number) => `(SELECT groupBitmapState(cityHash64(person_id)) FROM ${this.d.olap.db}.segment_members FINAL WHERE segment_id = {s${i}:String} AND is_member = 1)`;
    const params = Object.fromEntries(ids.map((id, i) => [`s${i}`, id]));
    const regions: { in: string[]; expr: string }[] = [];
    for (let mask = 1; mask < 1 << ids.length; mask++) {
      const inside = ids.map((_, i) => i).filter((i) => mask & (1 << i));
      const outside = ids.map((_, i) => i).filter((i) => !(mask & (1 << i)));
      let e = inside.map(bm).reduce((a, b) => `bitmapAnd(${a}, ${b})`);
      for (const o of outside) e = `bitmapAndnot(${e}, ${bm(o)})`;
      regions.push({ in: inside.map((i) => ids[i]!), expr: `bitmapCardinality(${e})` });
    }
    const [row] = await this.d.olap.query<Record<string, number>>(
      `SELECT ${[...ids.map((_, i) => `bitmapCardinality(${bm(i)}) AS size${i}`), ...regions.map((r, i) => `${r.expr} AS r${i}`)].join(', ')}`,
      params,
    );
    return {
      sizes: Object.fromEntries(ids.map((id, i) => [id, Number(row![`size${i}`])])),
      regions: regions.map((r, i) => ({ in: r.in, count: Number(row![`r${i}`]) })),
    };
  }

  /** Serving: whole re-evaluations on a schedule (time-based conditions expire), webhooks sent. */
  schedule(everyMinutes: number): void {
    this.webhooks.start();
    if (everyMinutes > 0) {
      this.timer = setInterval(() => void this.evaluateAll('schedule'), everyMinutes * 60_000);
      this.timer.unref();
    }
  }

  async evaluateAll(source: string): Promise<void> {
    await timedBuild(this.d.registry, 'segments', async () => {
      for (const seg of inDependencyOrder(await this.store.dynamic())) {
        await this.evaluate(seg.id, source).catch((err) => this.d.log.warn({ err, segment: seg.id }, 'segment evaluation failed'));
      }
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.webhooks.stop();
  }

  private async setStaticMembers(id: string, ids: string[]): Promise<void> {
    const seg = await this.store.get(id);
    const { persons } = await personsOf(this.d.oltp, ids);
    await applyMembers({ ...this.d, store: this.store }, seg, persons, null, 'upload');
  }

  private async checkReferences(rule: Rule, self: string | null): Promise<void> {
    const seen = new Set<string>(self ? [self] : []);
    const walk = async (r: Rule): Promise<void> => {
      for (const id of referencedSegments(r)) {
        if (seen.has(id)) throw new RuleInputError(`rule: segment '${id}' would refer to itself`, 'rule');
        const s = await this.store.get(id).catch(() => {
          throw new RuleInputError(`rule: no segment '${id}'`, 'rule');
        });
        seen.add(id);
        if (s.rule) await walk(s.rule);
      }
    };
    await walk(rule);
  }
}

/** Segments a rule refers to come before the segments that refer to them (so one pass is enough). */
export function inDependencyOrder(segments: Segment[]): Segment[] {
  const by = new Map(segments.map((s) => [s.id, s]));
  const out: Segment[] = [];
  const done = new Set<string>();
  const visit = (s: Segment, path: Set<string>) => {
    if (done.has(s.id) || path.has(s.id)) return;
    path.add(s.id);
    for (const dep of referencedSegments(s.rule!)) if (by.has(dep)) visit(by.get(dep)!, path);
    done.add(s.id);
    out.push(s);
  };
  for (const s of segments) visit(s, new Set());
  return out;
}
