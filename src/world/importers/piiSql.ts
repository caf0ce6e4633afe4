/**
 * Personal data in the text of bulk-imported rows, found by the engine (RE2: no look-behind) rather than
 * in the JS heap. Two uses: `ROUTE_PATTERNS` decides which segment-jsonl lines take the TS pipeline (a
 * superset of what src/privacy/detect.ts finds; the TS protect step then decides exactly), and
 * `maskPiiSql` masks free-text columns of the CSV importer in place, as `maskPiiIn` does (an ID number
 * without its check digit being verified: a number shaped like one is masked).
 */

import { classification, type Classification } from '../../privacy/classification.ts';
import { isIdentifierKey } from '../../privacy/detect.ts';

const CJK = '一-龥';

/** The patterns of detect.ts with their boundaries consumed instead of asserted. */
export const ROUTE_PATTERNS = {
  phone: '(^|[^0-9])(\\+?86[-\\s]?)?1[3-9][0-9][-\\s]?[0-9]{4}[-\\s]?[0-9]{4}([^0-9]|$)',
  id_number: '(^|[^0-9A-Za-z])[1-9][0-9]{5}(18|19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]([^0-9A-Za-z]|$)',
  email: '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}',
  address: `([${CJK}]{2,8}(省|自治区)|北京|上海|天津|重庆)[${CJK}]{0,10}(市|区|县|州)[${CJK}0-9]{0,20}?[${CJK}0-9]{1,12}(路|街|道|巷|弄|胡同|村)`,
  // Chinese text written as JSON escapes (\u5e7f…) is not read by the patterns above: the TS path decides
  escaped: '\\\\u[4-9][0-9a-fA-F]{3}',
};

/** A string literal for ClickHouse SQL (the patterns are code constants and validated field names, never user text). */
export const sqlString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Replacements in the order maskPiiIn applies them: ID numbers, phones, e-mails, addresses. */
const MASKS: [string, string][] = [
  // 110105199001011234 → 110***********1234
  ['(^|[^0-9A-Za-z])([1-9][0-9]{2})[0-9]{3}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])([0-9]{3}[0-9Xx])([^0-9A-Za-z]|$)', '\\1\\2***********\\3\\4'],
  // +86 138-1234-5678 → 138****5678
  ['(^|[^0-9])(?:\\+?86[-\\s]?)?(1[3-9][0-9])[-\\s]?[0-9]{4}[-\\s]?([0-9]{4})([^0-9]|$)', '\\1\\2****\\3\\4'],
  // mei.chen@example.cn → m***@example.cn
  ['([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,})', '\\1***\\2'],
  // 广东省深圳市南山区科技园路8号 → 广东省深圳市****
  [
    `((?:[${CJK}]{2,8}?(?:省|自治区)|北京|上海|天津|重庆)市?(?:[${CJK}]{1,10}?市)?)[${CJK}]{0,10}?(?:市|区|县|州)?[${CJK}0-9]{0,20}?[${CJK}0-9]{1,12}(?:路|街|道|巷|弄|胡同|村)[${CJK}0-9-]{0,12}(?:号|室|楼|栋|单元)?`,
    '\\1****',
  ],
];

/** SQL masking the personal data inside a String expression, as `maskPiiIn` masks it in TS. */
export function maskPiiSql(expr: string): string {
  let out = expr;
  for (const [re, to] of MASKS) {
    out = `replaceRegexpAll(${out}, ${sqlString(re)}, ${sqlString(to)})`;
    // a pattern that consumes its boundaries misses a second value right after the first (`a,b`): once more
    if (re.startsWith('(^|')) out = `replaceRegexpAll(${out}, ${sqlString(re)}, ${sqlString(to)})`;
  }
  // a quick test first: most values hold no digit run, no @ and no address word
  return `if(match(${expr}, ${sqlString('[0-9][-\\s0-9]{5,}[0-9]|@|[省市区路街]')}), ${out}, ${expr})`;
}

/**
 * SQL for a text value of a bulk-imported event property, as the protect step would store it: `sensitive`,
 * `ordinary` and identifier properties as sent; a `pii` one masked (`****` when it is no recognisable
 * kind: the engine cannot encrypt); the rest with detected personal data masked, or emptied under policy
 * `drop`.
 */
export function protectTextSql(name: string, expr: string, cls: Classification = classification()): string {
  const c = cls.property(name);
  if (c === 'sensitive' || c === 'ordinary' || isIdentifierKey(name)) return expr;
  const masked = maskPiiSql(expr);
  if (c === 'pii') return `if(${expr} = '', '', if(${masked} != ${expr}, ${masked}, '****'))`;
  return cls.detected === 'drop' ? `if(${masked} != ${expr}, '', ${expr})` : masked;
}
