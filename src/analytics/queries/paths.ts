import type { OlapStore } from '../../store/olap/index.ts';
import type { Timezone } from '../timezones.ts';
import { isView, keyedSessions, stepNames } from './sessionsSql.ts';

/**
 * The most common paths after (or before) an anchor — an event or a page — within sessions
 * (queries/sessionsSql.ts), for [from, to) in a reporting timezone.
 *
 * Definitions (docs/analytics-paths.md):
 * - a step is a track event (named by its event) or a page/screen view (named by its name, else its
 *   path); `include: 'views'` keeps only views (pages, screens, product and list views) and the anchor;
 *   consecutive repeats of the same step collapse into one (five product views in a row are one step)
 * - each session with the anchor contributes one sequence, from the anchor's FIRST occurrence in the
 *   session: the next `depth` steps (after) or the `depth` steps before it (before)
 * - a sequence that reaches the session's end (after) or start (before) within `depth` steps ends in
 *   the marker step `(end)` / begins with `(start)`
 * - Sankey nodes are (step index, name): the anchor is step 0, the steps after it 1…depth, the steps
 *   before it −depth…−1 (counted back from the anchor); links are weighted by sessions, so the chart is
 *   acyclic even when a name repeats
 */

export type AnchorType = 'event' | 'page';
export type Direction = 'after' | 'before';
export type PathSteps = 'all' | 'views';

export interface PathsParams {
  from: string;
  to: string;
  tz: Timezone;
  anchor: string;
  anchorType: AnchorType;
  direction: Direction;
  /** 1…6 steps away from the anchor */
  depth: number;
  /** how many full paths to list */
  top: number;
  /** at most this many names per step in the Sankey; the rest merge into `(other)` */
  nodesPerStep: number;
  include: PathSteps;
}

export interface PathNode { id: string; step: number; name: string; sessions: number }
export interface PathLink { source: string; target: string; sessions: number }
export interface PathRow { steps: string[]; sessions: number; share: number }

export interface Paths {
  range: { from: string; to: string; tz: Timezone };
  anchor: string;
  anchorType: AnchorType;
  direction: Direction;
  depth: number;
  /** sessions in which the anchor occurs */
  sessions: number;
  /** distinct sequences found (before `top` is applied) */
  distinctPaths: number;
  nodes: PathNode[];
  links: PathLink[];
  /** the most common sequences, the anchor included (first for after, last for before) */
  top: PathRow[];
  /** true when the tail of rare sequences beyond MAX_SEQUENCES was left out of the Sankey */
  truncated: boolean;
}

export const END = '(end)';
export const START = '(start)';
export const OTHER = '(other)';
export const MAX_DEPTH = 6;
/** distinct sequences read back for the Sankey (most common first) */
export const MAX_SEQUENCES = 20_000;

/** The anchor test, from an allow-list: a track event by name, or a page/screen by name or path. */
const anchorTest = (t: AnchorType) =>
  t === 'event' ? `(type = 'track' AND event = {anchor:String})` : `(type IN ('page', 'screen') AND (event = {anchor:String} OR page_path = {anchor:String}))`;

/**
 * A step of a session as one Int64 that sorts in time order: ((ms·2 + anchor)·2 + kept)·2^16 plus the low
 * 16 bits of the step name's hash (so steps at one millisecond keep one order from run to run). Bit 16
 * is "kept as a step", bit 17 "is the anchor", and ms = key >> 18 (below 2^44 ms, the year 2527).
 */
const stepKey = (flag: string, keep: string) =>
  `bitOr(bitShiftLeft((toInt64(toUnixTimestamp64Milli(timestamp)) * 2 + toInt64(${flag})) * 2 + toInt64(${keep}), 16), toInt64(bitAnd(nh, 65535)))`;

const isKept = (k: string) => `bitAnd(bitShiftRight(${k}, 16), 1) = 1`;
const isAnchorKey = (k: string) => `bitAnd(bitShiftRight(${k}, 17), 1) = 1`;
/** ms = key >> KEY_MS_SHIFT */
const KEY_MS_SHIFT = 18;

/** the step-name hashes standing for END and START in a counted sequence (a real name hashing to 1 or 2 is a 2^-63 chance) */
const END_HASH = 1;
const START_HASH = 2;

/**
 * Sessions as plain arrays (sessionsSql.ts keyedSessions: sort keys by stepKey, step-name hashes in key
 * order), only of the (person, session_id) groups holding the anchor.
 */
const pathsSql = (db: string, p: PathsParams) => {
  const flag = anchorTest(p.anchorType);
  // sessions are cut on all events; `views` then keeps only the views and the anchor as steps
  const keep = p.include === 'views' ? `toUInt8(${isView} OR ${flag})` : '1';
  const sequence =
    p.direction === 'after'
      ? `if(length(names) - pos < {depth:UInt8}, arrayPushBack(arraySlice(names, pos + 1, {depth:UInt8}), toUInt64(${END_HASH})), arraySlice(names, pos + 1, {depth:UInt8}))`
      : `if(pos - 1 < {depth:UInt8}, arrayPushFront(arraySlice(names, 1, pos - 1), toUInt64(${START_HASH})), arraySlice(names, pos - {depth:UInt8}, {depth:UInt8}))`;
  return `
WITH ${stepNames(db)} AS step_names
SELECT arrayMap(h -> if(h = ${END_HASH}, '${END}', if(h = ${START_HASH}, '${START}', transform(h, step_names.1, step_names.2, ''))), hpath) AS path, n, sum(n) OVER () AS total, count() OVER () AS distinct_paths
FROM (
  SELECT ${sequence} AS hpath, count() AS n
  FROM (
    SELECT
      arrayFilter((n, q) -> n != q, names0, prev) AS names,
      indexOf(arrayFilter((f, n, q) -> n != q, flags0, names0, prev), 1) AS pos
    FROM (
      SELECT
        arrayFilter((n, k) -> ${isKept('k')}, sn, sk) AS names0,
        arrayMap(k -> toUInt8(${isAnchorKey('k')}), arrayFilter(k -> ${isKept('k')}, sk)) AS flags0,
        -- each step's predecessor (0 for the first), to drop repeats without capturing an array in a lambda
        arraySlice(arrayPushFront(names0, toUInt64(0)), 1, length(names0)) AS prev
      FROM ${keyedSessions(db, { key: stepKey(flag, keep), msShift: KEY_MS_SHIFT, having: `max(${flag}) = 1` })}
      -- a (person, session_id) group holds the anchor, but not every session cut from it does
      WHERE arrayExists(k -> ${isAnchorKey('k')}, sk)
    )
  )
  WHERE pos > 0
  GROUP BY hpath
)
ORDER BY n DESC, path
LIMIT ${MAX_SEQUENCES}`;
};

export async function paths(olap: OlapStore, p: PathsParams): Promise<Paths> {
  if (p.depth < 1 || p.depth > MAX_DEPTH) throw new RangeError(`depth must be 1…${MAX_DEPTH}`);
  const rows = await olap.query<{ path: string[]; n: number; total: number; distinct_paths: number }>(pathsSql(olap.db, p), {
    from: p.from, to: p.to, tz: p.tz, anchor: p.anchor, depth: p.depth,
  });
  const total = Number(rows[0]?.total ?? 0);
  const distinctPaths = Number(rows[0]?.distinct_paths ?? 0);
  const seqs = rows.map((r) => ({ steps: r.path, n: Number(r.n) }));
  const { nodes, links } = sankey(seqs, p);
  const full = (steps: string[]) => (p.direction === 'after' ? [p.anchor, ...steps] : [...steps, p.anchor]);
  return {
    range: { from: p.from, to: p.to, tz: p.tz },
    anchor: p.anchor,
    anchorType: p.anchorType,
    direction: p.direction,
    depth: p.depth,
    sessions: total,
    distinctPaths,
    nodes,
    links,
    top: seqs.slice(0, p.top).map((s) => ({ steps: full(s.steps), sessions: s.n, share: total ? s.n / total : 0 })),
    truncated: distinctPaths > seqs.length,
  };
}

/**
 * Sankey nodes and links from the grouped sequences: the step index of a name is its distance from
 * the anchor (negative before it). Per step only the `nodesPerStep` names reached by most sessions
 * are kept; the others merge into `(other)`.
 */
export function sankey(seqs: { steps: string[]; n: number }[], p: Pick<PathsParams, 'anchor' | 'direction' | 'nodesPerStep'>): { nodes: PathNode[]; links: PathLink[] } {
  const stepOf = (steps: string[], i: number) => (p.direction === 'after' ? i + 1 : i - steps.length);
  const reach = new Map<number, Map<string, number>>();
  for (const s of seqs) {
    s.steps.forEach((name, i) => {
      const step = stepOf(s.steps, i);
      const m = reach.get(step) ?? new Map<string, number>();
      m.set(name, (m.get(name) ?? 0) + s.n);
      reach.set(step, m);
    });
  }
  const kept = new Map<number, Set<string>>();
  for (const [step, m] of reach) {
    const names = [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, p.nodesPerStep).map(([n]) => n);
    kept.set(step, new Set(names));
  }
  const id = (step: number, name: string) => `${step}:${name}`;
  const label = (step: number, name: string) => (step === 0 || kept.get(step)!.has(name) ? name : OTHER);
  const nodeSessions = new Map<string, PathNode>();
  const linkSessions = new Map<string, PathLink>();
  const total = seqs.reduce((a, s) => a + s.n, 0);
  if (total) nodeSessions.set(id(0, p.anchor), { id: id(0, p.anchor), step: 0, name: p.anchor, sessions: total });
  for (const s of seqs) {
    // the chain in time order, the anchor included
    const chain = s.steps.map((name, i) => ({ step: stepOf(s.steps, i), name }));
    if (p.direction === 'after') chain.unshift({ step: 0, name: p.anchor });
    else chain.push({ step: 0, name: p.anchor });
    let prev: string | null = null;
    for (const c of chain) {
      const name = label(c.step, c.name);
      const nid = id(c.step, name);
      const node = nodeSessions.get(nid) ?? { id: nid, step: c.step, name, sessions: 0 };
      if (c.step !== 0) node.sessions += s.n;
      nodeSessions.set(nid, node);
      if (prev !== null) {
        const lid = `${prev}→${nid}`;
        const link = linkSessions.get(lid) ?? { source: prev, target: nid, sessions: 0 };
        link.sessions += s.n;
        linkSessions.set(lid, link);
      }
      prev = nid;
    }
  }
  const nodes = [...nodeSessions.values()].sort((a, b) => a.step - b.step || b.sessions - a.sessions || (a.name < b.name ? -1 : 1));
  const links = [...linkSessions.values()].sort((a, b) => b.sessions - a.sessions || (a.source + a.target < b.source + b.target ? -1 : 1));
  return { nodes, links };
}
