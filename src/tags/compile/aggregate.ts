import type { Stat } from '../dsl.ts';
import { field, numeric, text } from './fields.ts';
import { AS_OF, rowCondition } from './filters.ts';
import type { Params } from './params.ts';

const DAY_MS = 86_400_000;

/** One statistic as a ClickHouse aggregate expression (NULL where no row matched, except count/sum/uniq). */
export function aggregateSql(s: Stat, p: Params): string {
  const c = rowCondition(s, p);
  const f = s.of ? field(s.of) : undefined;
  // a field read from JSON is parsed only on the rows the condition keeps (if() short-circuits)
  const lazy = (x: string, none: string) => (x.includes('JSON') ? `if(${c}, ${x}, ${none})` : x);
  const num = f && lazy(numeric(f), 'NULL');
  const txt = f && lazy(text(f), "''");
  const nullIfNone = (x: string) => `if(countIf(${c}) = 0, NULL, ${x})`;
  const days = (t: string) => `intDiv(toUnixTimestamp64Milli(${AS_OF}) - toUnixTimestamp64Milli(${t}), ${DAY_MS})`;
  switch (s.agg) {
    case 'count':
      return `toFloat64(countIf(${c}))`;
    case 'sum':
      return `toFloat64(ifNull(sumIf(${num}, ${c}), 0))`;
    case 'avg':
      return `avgIfOrNull(${num}, ${c})`;
    case 'min':
      return `minIfOrNull(${num}, ${c})`;
    case 'max':
      return `maxIfOrNull(${num}, ${c})`;
    case 'median':
      return `medianIfOrNull(${num}, ${c})`;
    case 'uniq':
      return `toFloat64(uniqExactIf(${txt}, ${c} AND ${txt} != ''))`;
    case 'first':
      return nullIfNone(`argMinIf(${txt}, timestamp, ${c})`);
    case 'last':
      return nullIfNone(`argMaxIf(${txt}, timestamp, ${c})`);
    case 'mode':
      return `nullIf(topKIf(1)(${txt}, ${c} AND ${txt} != '')[1], '')`;
    case 'firstTime':
      return nullIfNone(`minIf(timestamp, ${c})`);
    case 'lastTime':
      return nullIfNone(`maxIf(timestamp, ${c})`);
    case 'daysSinceFirst':
      return nullIfNone(`toFloat64(${days(`minIf(timestamp, ${c})`)})`);
    case 'daysSinceLast':
      return nullIfNone(`toFloat64(${days(`maxIf(timestamp, ${c})`)})`);
    case 'activeDays':
      return `toFloat64(uniqExactIf(toDate(timestamp, {tz:String}), ${c}))`;
    case 'sessions': {
      // visits: runs of matching events with no gap longer than 30 minutes
      const ts = `arraySort(groupArrayIf(toUnixTimestamp64Milli(timestamp), ${c}))`;
      return `toFloat64(if(empty(${ts}), 0, 1 + arrayCount(d -> d > 1800000, arrayDifference(${ts}))))`;
    }
    case 'medianGapDays': {
      // purchase cycle: the median gap in days between the distinct days with a matching event
      const ds = `arraySort(groupUniqArrayIf(toRelativeDayNum(toDate(timestamp, {tz:String})), ${c}))`;
      return `if(length(${ds}) < 2, NULL, toFloat64(arrayReduce('median', arrayPopFront(arrayDifference(${ds})))))`;
    }
  }
}

/** The SQL type family an aggregate yields: numbers, text or a point in time. */
export function aggregateType(s: Stat): 'number' | 'string' | 'time' {
  if (s.agg === 'first' || s.agg === 'last' || s.agg === 'mode') return 'string';
  if (s.agg === 'firstTime' || s.agg === 'lastTime') return 'time';
  return 'number';
}
