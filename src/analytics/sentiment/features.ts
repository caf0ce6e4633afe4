/**
 * Review text → model features. A text is cut into clauses at punctuation (a negation never reaches past
 * one), each clause into words (src/text/tokenize.ts: jieba for Chinese, lower-cased words for Latin,
 * stopwords kept — 很/太/没有/not carry sentiment). A word after a negator is marked with `!`
 * (不|新鲜 → 不, !新鲜); features are the marked words plus the bigrams of adjacent raw words, hashed
 * into a fixed number of buckets so a model is a sparse weight vector.
 */
import { tokenize } from '../../text/tokenize.ts';

export type Lang = 'zh' | 'en';
export const LANGS: readonly Lang[] = ['zh', 'en'];

/** Changes whenever features change, so a model trained on other features is refused rather than misread. */
export const FEATURE_VERSION = 'clause-words-negation-bigrams/1';
export const BUCKETS = 1 << 20;

const HAN = /\p{Script=Han}/u;

/** zh when the text has any Han character, else en. */
export const detectLang = (text: string): Lang => (HAN.test(text) ? 'zh' : 'en');

const NEGATORS = new Set([
  '不', '没', '没有', '无', '非', '别', '未', '勿', '莫', '不是', '不会', '不要', '不能', '不用', '不够', '并不', '从不', '绝不', '毫无', '从未', '没什么',
  'not', 'no', 'never', 'nothing', 'nobody', 'none', 'neither', 'nor', 'without', 'hardly', 'barely', 'cannot',
]);
/** how many following words a negator reaches: one or two in Chinese (不|太|明显), to the clause end in English */
const SCOPE: Record<Lang, number> = { zh: 2, en: 4 };

const CLAUSE = /[，,。.!！?？;；:：~～、\n\r\t…()（）【】\[\]"“”]+/u;

export const clauses = (text: string): string[] => text.normalize('NFKC').split(CLAUSE).map((c) => c.trim()).filter(Boolean);

const isNegator = (w: string) => NEGATORS.has(w) || w.endsWith("n't");

/** The words of one clause with negated ones marked `!`, and the raw words. */
export function clauseTerms(clause: string, lang: Lang): { terms: string[]; words: string[] } {
  const words = tokenize(clause, { keepStopwords: true });
  const terms: string[] = [];
  let reach = 0;
  for (const w of words) {
    if (isNegator(w)) {
      terms.push(w);
      reach = SCOPE[lang];
      continue;
    }
    terms.push(reach > 0 ? `!${w}` : w);
    if (reach > 0) reach--;
  }
  return { terms, words };
}

/** One clause's features: its marked words and the bigrams of adjacent raw words. */
export function clauseFeatures(clause: string, lang: Lang): { features: string[]; terms: string[]; words: string[] } {
  const { terms, words } = clauseTerms(clause, lang);
  const features = [...terms];
  for (let i = 0; i + 1 < words.length; i++) features.push(`${words[i]}|${words[i + 1]}`);
  return { features, terms, words };
}

/** The feature strings of a text: marked words and adjacent-word bigrams, clause by clause, each once. */
export function featureStrings(text: string, lang: Lang = detectLang(text)): string[] {
  const out = new Set<string>();
  for (const c of clauses(text)) for (const f of clauseFeatures(c, lang).features) out.add(f);
  return [...out];
}

export const isNegatorWord = (w: string) => isNegator(w);

/** FNV-1a over UTF-16 code units: stable across runs and platforms. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const bucketOf = (feature: string, buckets = BUCKETS) => hashString(feature) % buckets;

/** The distinct buckets a text's features fall in. */
export function featureBuckets(text: string, lang: Lang = detectLang(text), buckets = BUCKETS): number[] {
  return [...new Set(featureStrings(text, lang).map((f) => bucketOf(f, buckets)))];
}
