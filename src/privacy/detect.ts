import { maskAddress, maskEmail, maskIdNumber, maskPhone } from './mask.ts';

/**
 * Personal data found where it was not expected: Chinese mobile numbers, resident ID numbers (身份证, with
 * their check digit), e-mail addresses and postal addresses inside free text — a search query, a review,
 * a page title, a property a shop named freely. Ingestion masks what it finds in event properties and
 * context (and encrypts a trait whose whole value is one), so no such value is stored in the clear.
 */
export type PiiKind = 'phone' | 'id_number' | 'email' | 'address';

const PHONE = /(?<![\d])(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?![\d])/g;
const ID = /(?<![\dA-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// province or municipality, a city or district, then a street, lane or number
const ADDRESS = /(?:[\u4e00-\u9fa5]{2,8}(?:省|自治区)|北京市?|上海市?|天津市?|重庆市?)[\u4e00-\u9fa5]{1,10}(?:市|区|县|州)[\u4e00-\u9fa5\d]{0,20}?[\u4e00-\u9fa5\d]{1,12}(?:路|街|道|巷|弄|胡同|村)[\u4e00-\u9fa5\d-]{0,12}(?:号|室|楼|栋|单元)?/g;

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The GB 11643 check digit of an 18-character resident ID number. */
export function validIdNumber(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11] === id[17]!.toUpperCase();
}

/** Quick tests before the regular expressions: most strings hold no digit run, no @ and no address word. */
const DIGIT_RUN = /\d[\d\s-]{5,}\d/;
const ADDRESS_WORD = /[省市区路街]/;
const mayHold = (s: string) => s.length >= 8 && (DIGIT_RUN.test(s) || s.includes('@') || ADDRESS_WORD.test(s));

export function detectPii(s: string): { kind: PiiKind; value: string }[] {
  if (!mayHold(s)) return [];
  const out: { kind: PiiKind; value: string }[] = [];
  for (const m of s.matchAll(ID)) if (validIdNumber(m[0])) out.push({ kind: 'id_number', value: m[0] });
  for (const m of s.matchAll(PHONE)) out.push({ kind: 'phone', value: m[0] });
  for (const m of s.matchAll(EMAIL)) out.push({ kind: 'email', value: m[0] });
  for (const m of s.matchAll(ADDRESS)) out.push({ kind: 'address', value: m[0] });
  return out;
}

/** The string with every detected value masked as the API masks it (`138****5678`, `z***@example.com` …). */
export function maskPiiIn(s: string): string {
  if (s.length < 8) return s;
  let out = s;
  // each kind only where its quick test passes: most text has a digit run, an @ or an address word at most
  if (DIGIT_RUN.test(out)) out = out.replace(ID, maskIdIfValid).replace(PHONE, maskPhone);
  if (out.includes('@')) out = out.replace(EMAIL, maskEmail);
  if (ADDRESS_WORD.test(out)) out = out.replace(ADDRESS, maskAddressText);
  return out;
}
function maskIdIfValid(v: string): string {
  return validIdNumber(v) ? maskIdNumber(v) : v;
}
function maskAddressText(v: string): string {
  return String(maskAddress(v));
}

/** Keys whose values are identifiers, never free text: not scanned (an order number must not be masked). */
const ID_KEY = /(^|_)(id|ids|sku|message_?id)$|Id$|^(order_id|product_id|sku|session_id|messageId|anonymousId|userId|currency)$/;

/** True for a key whose value is an identifier (never scanned for personal data). */
export const isIdentifierKey = (key: string) => ID_KEY.test(key);

/**
 * A copy of a JSON value with personal data masked in every string (identifier keys excepted), and
 * whether anything was masked.
 */
export function scrubPii<T>(value: T): { value: T; found: boolean } {
  let found = false;
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'string') {
      if (ID_KEY.test(key)) return v;
      const masked = maskPiiIn(v);
      if (masked !== v) found = true;
      return masked;
    }
    if (Array.isArray(v)) {
      const out = v.map((x) => walk(x, key));
      return out.some((y, i) => y !== v[i]) ? out : v;
    }
    if (v && typeof v === 'object') {
      let changed = false;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const y = walk(x, k);
        if (y !== x) changed = true;
        out[k] = y;
      }
      return changed ? out : v;
    }
    return v;
  };
  const out = walk(value, '') as T;
  return { value: out, found };
}

/** The kind of PII a whole trait value is (a trait that *is* a phone number, say), or null. */
export function wholeValuePii(s: string): PiiKind | null {
  const t = s.trim();
  const hits = detectPii(t);
  const whole = hits.find((h) => h.value.replace(/[-\s]/g, '') === t.replace(/[-\s]/g, ''));
  return whole?.kind ?? null;
}
