/**
 * Words out of shop text — search queries, review bodies, product titles — for counting and matching.
 * Chinese runs are segmented with jieba (jieba-wasm: jieba-rs compiled to WebAssembly, one package for
 * every platform, with its bundled dictionary); Latin runs split on non-letters and are lower-cased. Punctuation, digits-only tokens and common
 * function words (的/了/是, the/and/is …) are dropped unless `keepStopwords` is set.
 */
import { cut } from 'jieba-wasm';

const HAN = /\p{Script=Han}/u;
const WORDY = /[\p{L}\p{N}]/u;

export const stopwords: ReadonlySet<string> = new Set([
  // zh function words and fillers
  '的', '了', '是', '我', '你', '他', '她', '它', '们', '这', '那', '也', '都', '就', '和', '与', '及', '或', '在', '有', '很', '还',
  '又', '把', '被', '给', '对', '而', '吧', '吗', '呢', '啊', '呀', '哦', '嗯', '着', '过', '个', '些', '之', '其', '从', '到',
  '让', '用', '比', '但', '但是', '因为', '所以', '如果', '就是', '还是', '这个', '那个', '一个', '一下', '一些', '没有', '不是',
  '我们', '你们', '他们', '自己', '什么', '怎么', '可以', '已经', '然后', '觉得', '感觉', '非常', '真的', '有点', '一点',
  // en
  'a', 'an', 'the', 'and', 'or', 'but', 'if', 'of', 'to', 'in', 'on', 'at', 'for', 'with', 'by', 'from', 'as', 'is', 'are', 'was',
  'were', 'be', 'been', 'it', 'its', 'this', 'that', 'these', 'those', 'i', 'me', 'my', 'we', 'our', 'you', 'your', 'he', 'she',
  'they', 'them', 'their', 'so', 'too', 'very', 'just', 'than', 'then', 'there', 'here', 'have', 'has', 'had', 'do', 'does', 'did',
  'will', 'would', 'can', 'could', 'should', 'am', 'all', 'any', 'some', 'such', 'about', 'into', 'out', 'up', 'down', 'over',
]);

export interface TokenizeOptions {
  keepStopwords?: boolean;
}

/** The words of `text`, in order, lower-cased; negations (不, 没, not, no) are kept as words. */
export function tokenize(text: string, o: TokenizeOptions = {}): string[] {
  const out: string[] = [];
  const keep = (w: string) => WORDY.test(w) && !/^\d+$/.test(w) && (o.keepStopwords || !stopwords.has(w));
  // split into runs of Han and non-Han text so jieba only sees Chinese
  for (const run of text.normalize('NFKC').match(/\p{Script=Han}+|[^\p{Script=Han}]+/gu) ?? []) {
    if (HAN.test(run)) {
      for (const w of cut(run, false)) if (keep(w)) out.push(w);
    } else {
      for (const w of run.toLowerCase().split(/[^\p{L}\p{N}']+/u)) {
        const t = w.replace(/^'+|'+$/g, '');
        if (t && keep(t)) out.push(t);
      }
    }
  }
  return out;
}
