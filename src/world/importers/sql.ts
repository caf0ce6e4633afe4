import { ImportInputError } from './types.ts';

/**
 * SQL fragments the CSV importers share. Values travel as typed parameters; the only things written
 * into the SQL text are column expressions of our own and characters from the allow-lists below.
 */

/** Field delimiters a CSV source may use, with the regex class that matches "not the delimiter". */
export const delimiters = { ',': ',', ';': ';', '\t': '\\t', '|': '|' } as const;
export type Delimiter = keyof typeof delimiters;

/**
 * The fields of one CSV line as Array(String), split by the engine. A line without quotes takes
 * `splitByChar` (fast); a quoted one goes through an RFC 4180 regex (`"…"`, `""` inside quotes).
 * A record spanning several lines (a newline inside quotes) is not supported: its parts fail the
 * field-count check and are reported.
 */
export function csvFields(line: string, delimiter: Delimiter = ','): string {
  const d = delimiters[delimiter];
  const lit = delimiter === '\t' ? '\\t' : delimiter;
  return `if(position(${line}, '"') = 0, splitByChar('${lit}', ${line}),
    arrayMap(x -> if(startsWith(x, '"'), replaceAll(substring(x, 2, length(x) - 2), '""', '"'), x),
             extractAll(concat(${line}, '${lit}'), '("(?:[^"]|"")*"|[^${d}"]*)[${d}]')))`;
}

/** Time zones an option may name: IANA names (as Node knows them) and UTC. */
export function checkTimeZone(tz: string, option: string): string {
  if (tz === 'UTC' || tz === 'Etc/UTC' || Intl.supportedValuesOf('timeZone').includes(tz)) return tz;
  throw new ImportInputError(`${option}: unknown time zone '${tz}' (expected an IANA name such as UTC or Asia/Shanghai)`);
}

/**
 * A naive wall-clock time, computed as if it were UTC (a DateTime64(3, 'UTC') expression), read in the
 * zone `{tz:String}` instead: the instant it names there. Nothing to do when the zone is UTC.
 */
export function wallClockIn(expr: string, tz: string): string {
  return tz === 'UTC' || tz === 'Etc/UTC' ? expr : `toTimeZone(toDateTime64(toString(${expr}), 3, {tz:String}), 'UTC')`;
}

/**
 * A spreadsheet date: an Excel serial day number (days since 1899-12-30, the fraction is the time of
 * day; rounded to the second, which removes the float noise of exported serials) or a written date
 * (ISO 8601, `12/1/2010 8:26` read month first as in US exports, …). Naive times are read in
 * `{tz:String}`; NULL when it is neither.
 */
export function spreadsheetDate(s: string, tz: string): string {
  const serial = `toFloat64OrNull(${s})`;
  const fromSerial = wallClockIn(`fromUnixTimestamp64Milli(toInt64(round((${serial} - 25569) * 86400)) * 1000, 'UTC')`, tz);
  // multiIf evaluates a branch only for the rows that take it (measured: `if` ran the slow date parser
  // on every row, 95 % of the online-retail parse)
  return `multiIf(${serial} IS NULL, toDateTime64(parseDateTime64BestEffortUSOrNull(${s}, 3, {tz:String}), 3, 'UTC'),
                  ${serial} BETWEEN 1 AND 2958465, ${fromSerial}, NULL)`;
}

/** `{"k":v,…}` from pairs of (key, SQL string expression); values are JSON strings. Keys are our own words. */
export function jsonStrings(pairs: Record<string, string>): string {
  for (const k of Object.keys(pairs)) if (!/^\w+$/.test(k)) throw new Error(`jsonStrings: '${k}' is not a plain key`);
  const parts = Object.entries(pairs).map(([k, v], i) => `'${i ? ',' : '{'}${JSON.stringify(k)}:', toJSONString(${v})`);
  return `concat(${parts.join(', ')}, '}')`;
}

/** A number as a JSON value (null when NULL). */
export function jsonNumber(expr: string): string {
  return `ifNull(toString(${expr}), 'null')`;
}

/** A number parsed from text, NULL when it is not a finite number (`inf`, `nan` parse as floats). */
export function finiteOrNull(text: string): string {
  return `if(isFinite(ifNull(toFloat64OrNull(${text}), nan)), toFloat64OrNull(${text}), NULL)`;
}

/** Event times run from 1990 to now + 1 day: an older one is a unit mistake (seconds read as ms), a later one is not history. */
export const EARLIEST_MS = Date.UTC(1990, 0, 1);
