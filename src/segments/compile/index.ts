import { Params } from '../../tags/compile/params.ts';
import type { TagDef } from '../../tags/dsl.ts';
import type { Rule } from '../rule.ts';
import { complement, eventLeaf, funnelLeaf, identityCte, identityMapSql, RuleCompileError, segmentLeaf, tagLeaf, traitLeaf, type LeafContext } from './leaves.ts';

export { RuleCompileError } from './leaves.ts';

export interface CompiledRule {
  /**
   * a SELECT whose rows are the matching persons, each once, as `h` (cityHash64 of the person id). Sets
   * rather than bitmaps: a roaring bitmap of random 64-bit hashes keeps a container per element, and
   * building one of 100k people cost about 100 ms where a hash set costs 15–20 ms (10M-event world)
   */
  set: string;
  params: Params;
  /** what the query must start with (`WITH … AS MATERIALIZED (…) `: the identity map and everyone, each read once) or '' */
  prelude: string;
}

export interface RuleOptions {
  db: string;
  defs: ReadonlyMap<string, TagDef>;
  /** evaluate only for the persons in {persons:Array(String)}, reading the events of {ids:Array(String)} */
  restricted?: boolean;
  /** the in-memory identity map, where the engine has one (src/identity/engineMap.ts) */
  identityJoin?: string;
}

/** Everyone with any event: the people the tag engine knows (every person has `days_since_active`). */
export function universeSql(db: string, restricted: boolean): string {
  return restricted
    ? `SELECT DISTINCT cityHash64(p) AS h FROM (SELECT arrayJoin({persons:Array(String)}) AS p)`
    : `SELECT cityHash64(person_id) AS h FROM ${db}.tag_values FINAL WHERE tag_code = 'days_since_active'`;
}
const universeCte = 'segment_universe';

/** Compiles a rule to one set query; nested all/any/not become IN, UNION and NOT IN. */
export function compileRule(rule: Rule, o: RuleOptions): CompiledRule {
  const params = new Params('r');
  const c: LeafContext = { params, db: o.db, defs: o.defs, restricted: Boolean(o.restricted), universe: universeCte, identityJoin: o.identityJoin };
  const walk = (r: Rule, path: string): string => {
    if ('all' in r) {
      const [first, ...rest] = r.all.map((x, i) => walk(x, `${path}.all.${i}`));
      return rest.length ? `SELECT h FROM (${first}) WHERE ${rest.map((x) => `h IN (${x})`).join(' AND ')}` : first!;
    }
    if ('any' in r) {
      const xs = r.any.map((x, i) => walk(x, `${path}.any.${i}`));
      return xs.length > 1 ? `SELECT h FROM (${xs.map((x) => `SELECT h FROM (${x})`).join(' UNION ALL ')}) GROUP BY h` : xs[0]!;
    }
    if ('not' in r) return complement(c, walk(r.not, `${path}.not`));
    if ('tag' in r) return tagLeaf(r, c, path);
    if ('trait' in r) return traitLeaf(r, c, path);
    if ('event' in r) return eventLeaf(r, c, path);
    if ('sequence' in r) return funnelLeaf(r.sequence, r.sequence.length, r.within, r.during, c, `${path}.sequence`);
    if ('funnel' in r) {
      if (r.reached > r.funnel.length) throw new RuleCompileError(`${path}.reached: the funnel has ${r.funnel.length} steps`);
      return funnelLeaf(r.funnel, r.reached, r.within, r.during, c, `${path}.funnel`);
    }
    if ('rfm' in r) return tagLeaf({ tag: 'rfm_class', op: 'in', value: r.rfm }, c, path);
    if ('lifecycle' in r) return tagLeaf({ tag: 'lifecycle_stage', op: 'in', value: r.lifecycle }, c, path);
    if ('segment' in r) return segmentLeaf(r, c);
    throw new RuleCompileError(`${path}: unknown condition`);
  };
  const body = walk(rule, 'rule');
  // every positive condition yields known people already; only a rule with a complement (not,
  // notExists, a count admitting zero, a segment's members) needs everyone, the dearest part of a preview;
  // the identity map and everyone are each read once per query, however many conditions use them
  const ctes = [
    ...(c.usesIdentity ? [`${identityCte} AS MATERIALIZED (${identityMapSql(o.db, c.restricted)})`] : []),
    ...(c.usesUniverse ? [`${universeCte} AS MATERIALIZED (${universeSql(o.db, c.restricted)})`] : []),
  ];
  return {
    set: c.usesUniverse ? `SELECT h FROM (${body}) WHERE h IN (SELECT h FROM ${universeCte})` : body,
    params,
    prelude: ctes.length ? `WITH ${ctes.join(', ')} ` : '',
  };
}
