import { classification } from './classification.ts';
import { normalisePhone } from './crypto.ts';
import { maskPiiIn, wholeValuePii } from './detect.ts';

/**
 * Masking for display: what the API and dashboard show by default. A masked value keeps enough to
 * recognise it in a support call (the first and last digits, the mail domain, the city) and nothing that
 * identifies the person on its own. Masking an already masked value changes nothing.
 */

const isMasked = (s: string) => s.includes('*');

/** Mainland mobile `13812341234` → `138****1234`; other numbers keep their first 3 and last 4 digits. */
export function maskPhone(phone: string): string {
  if (isMasked(phone)) return phone;
  const digits = normalisePhone(phone);
  if (digits.length <= 7) return '****';
  return `${digits.slice(0, 3)}${'*'.repeat(Math.min(digits.length - 7, 8))}${digits.slice(-4)}`;
}

/** `zhang.san@example.com` → `z***@example.com`. */
export function maskEmail(email: string): string {
  if (isMasked(email)) return email;
  const at = email.lastIndexOf('@');
  if (at < 0) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/** Resident ID (身份证, 18 characters) `110105199001011234` → `110***********1234`: region of issue and check digits only. */
export function maskIdNumber(id: string): string {
  if (isMasked(id)) return id;
  const s = id.trim();
  if (s.length <= 7) return '*'.repeat(s.length);
  return `${s.slice(0, 3)}${'*'.repeat(s.length - 7)}${s.slice(-4)}`;
}

/** 张三 → 张*, 欧阳娜娜 → 欧***, Li Wei → L*****. */
export function maskName(name: string): string {
  if (isMasked(name)) return name;
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  return chars[0] + '*'.repeat(Math.max(chars.length - 1, 1));
}

// province-level units, then prefecture-level ones: what an address may keep
const PROVINCE = /^(.{2,8}?(?:省|自治区|特别行政区)|北京市|上海市|天津市|重庆市|北京|上海|天津|重庆)/;
const CITY = [/^(.{1,10}?市)/, /^(.{1,10}?(?:自治州|地区|盟))/];

/**
 * A postal address keeps its province and city and loses the rest: `浙江省杭州市西湖区文三路 90 号` →
 * `浙江省杭州市****`. A Segment address object keeps country, state and city and masks street and postal code.
 */
export function maskAddress(address: unknown): unknown {
  if (address && typeof address === 'object' && !Array.isArray(address)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(address as Record<string, unknown>)) {
      out[k] = ['country', 'state', 'province', 'city'].includes(k) ? v : typeof v === 'string' && v !== '' ? '****' : v;
    }
    return out;
  }
  if (typeof address !== 'string' || address === '' || isMasked(address)) return address;
  let rest = address.trim();
  let kept = '';
  const p = PROVINCE.exec(rest);
  if (p) (kept += p[1]), (rest = rest.slice(p[1]!.length));
  const c = CITY.map((re) => re.exec(rest)).find((m) => m);
  if (c) (kept += c[1]), (rest = rest.slice(c[1]!.length));
  return rest ? `${kept}****` : kept;
}

/** Birthday keeps the year: `1990-05-17` → `1990-**-**`. */
export function maskBirthday(value: string): string {
  if (isMasked(value)) return value;
  const m = /^(\d{4})\D/.exec(value);
  return m ? `${m[1]}-**-**` : '****';
}

/**
 * Trait keys that hold directly identifying data (contact details, ID numbers; addresses below) and how
 * each is masked. Keys are matched case-insensitively with `_`/`-` ignored, so `idNumber`, `id_number` and
 * `ID-Number` are one field. Names and birthdays are shown as they are (shop staff address customers by
 * name); `maskName` and `maskBirthday` are here for a deployment that wants them masked too.
 */
export const PERSONAL_FIELDS: Record<string, (v: string) => string> = {
  email: maskEmail,
  phone: maskPhone,
  mobile: maskPhone,
  idnumber: maskIdNumber,
  idcard: maskIdNumber,
};

const fold = (k: string) => k.toLowerCase().replace(/[_-]/g, '');

/**
 * A value of a field classified `pii` or `sensitive` (src/privacy/classification.ts) as shown: a phone,
 * e-mail, ID number or address masked as such, anything else as `****`.
 */
export function maskValue(v: unknown): unknown {
  if (v === null || v === undefined || v === '') return v;
  if (typeof v !== 'string') return '****';
  if (isMasked(v)) return v;
  switch (wholeValuePii(v)) {
    case 'phone':
      return maskPhone(v);
    case 'email':
      return maskEmail(v);
    case 'id_number':
      return maskIdNumber(v);
    case 'address':
      return maskAddress(v);
    default:
      return '****';
  }
}

/** True when a trait key names personal data that is masked for display: by name, or classified `pii` or `sensitive`. */
export function isPersonalField(key: string): boolean {
  if (fold(key) in PERSONAL_FIELDS || fold(key) === 'address') return true;
  const c = classification().trait(key);
  return c === 'pii' || c === 'sensitive';
}

/** Masks every personal field of a traits object (other traits pass through unchanged). */
export function maskTraits(traits: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(traits)) {
    const f = fold(k);
    if (f === 'address') out[k] = maskAddress(v);
    else if (PERSONAL_FIELDS[f] && v !== null && v !== undefined && v !== '') out[k] = PERSONAL_FIELDS[f]!(String(v));
    else if (isPersonalField(k)) out[k] = maskValue(v);
    // personal data under a name of the shop's own (a `mobile_no`, a phone inside a note)
    else out[k] = typeof v === 'string' ? maskPiiIn(v) : v;
  }
  return out;
}

/** Event properties as shown: those classified `pii` or `sensitive` masked, personal data in the rest masked in place. */
export function maskProperties(props: Record<string, unknown>): Record<string, unknown> {
  const c = classification();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    const cls = c.property(k);
    out[k] = cls === 'pii' || cls === 'sensitive' ? maskValue(v) : typeof v === 'string' ? maskPiiIn(v) : v;
  }
  return out;
}
