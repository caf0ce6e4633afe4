import { Params } from '../../tags/compile/params.ts';
import type { TagDef } from '../../tags/dsl.ts';
import type { Rule } from '../rule.ts';
import { complement, eventLeaf, funnelLeaf, identityCte, identityMapSql, RuleCompileError, segmentLeaf, tagLeaf, traitLeaf, type LeafContext } from './leaves.ts';

export { RuleCompileError } from './leaves.ts';

export interface CompiledRule {
  /** an expression whose value is the bitmap of matching persons (cityHash64 of person ids) */
  bitmap: string;
  params: Params;
  /** what the query must start with (`WITH … AS MATERIALIZED (…) `: the identity map, read once) or '' */
  prelude: string;
}

export interface RuleOptions {
  db: string;
  defs: ReadonlyMap<string, TagDef>;
  /** evaluate only for the persons in {persons:Array(String)}, reading the events of {ids:Array(String)} */
  restricted?: boolean;
}

/** Everyone with any event: the people the tag engine knows (every person has `days_since_active`). */
export function universeSql(db: string, restricted: boolean): string {
  return restricted
    ? `(SELECT groupBitmapState(cityHash64(p)) FROM (SELECT arrayJoin({persons:Array(String)}) AS p))`
    : `(SELECT groupBitmapState(cityHash64(person_id)) FROM ${db}.tag_values FINAL WHERE tag_code = 'days_since_active')`;
}

/** Compiles a rule to one bitmap expression; nested all/any/not become bitmap set operations. */
export function compileRule(rule: Rule, o: RuleOptions): CompiledRule {
  const params = new Params('r');
  const c: LeafContext = { params, db: o.db, defs: o.defs, restricted: Boolean(o.restricted), universe: universeSql(o.db, Boolean(o.restricted)) };
  const fold = (fn: string, xs: string[]) => xs.reduce((a, b) => `${fn}(${a}, ${b})`);
  const walk = (r: Rule, path: string): string => {
    if ('all' in r) return fold('bitmapAnd', r.all.map((x, i) => walk(x, `${path}.all.${i}`)));
    if ('any' in r) return fold('bitmapOr', r.any.map((x, i) => walk(x, `${path}.any.${i}`)));
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
  // notExists, a count admitting zero, not a member) needs the universe, the dearest part of a preview
  // the identity map is read once per query, however many conditions resolve devices to people
  const prelude = c.usesIdentity ? `WITH ${identityCte} AS MATERIALIZED (${identityMapSql(o.db, c.restricted)}) ` : '';
  return { bitmap: c.usesUniverse ? `bitmapAnd(${c.universe}, ${body})` : body, params, prelude };
}
