// Review ratings and texts. Ratings follow the item's hidden quality (with noise), and the text is
// assembled from sentiment-labelled phrase banks so its tone agrees with the rating: a known truth
// for testing the review-sentiment analytics. Chinese for zh-CN shoppers, English for en-US.

import type { AttrKind } from './catalogData.ts';
import type { Rng } from './random.ts';

export type Sentiment = 'positive' | 'neutral' | 'negative';

interface Bank {
  general: Record<Sentiment, string[]>;
  aspect: Partial<Record<AttrKind, Record<Sentiment, string[]>>>;
  close: Record<Sentiment, string[]>;
}

const s = (x: string): string[] => x.split('/');

export const PHRASES: Record<'zh' | 'en', Bank> = {
  zh: {
    general: {
      positive: s('非常满意/质量很好/物超所值/好评/包装很精美/发货速度很快/和描述的一模一样/超出预期'),
      neutral: s('还行吧/一般般/中规中矩/凑合能用/和预期差不多'),
      negative: s('非常失望/质量太差了/和描述严重不符/差评/做工粗糙/完全不值这个价'),
    },
    aspect: {
      apparel: { positive: s('面料很舒服/版型很好看/尺码标准'), neutral: s('尺码偏大一点/颜色和图片略有差别'), negative: s('洗一次就起球/尺码严重偏小/色差很严重') },
      beauty: { positive: s('用起来很温和/保湿效果很好/颜色很显白'), neutral: s('效果不太明显/味道有点重'), negative: s('用了过敏/怀疑不是正品/完全没效果') },
      tech: { positive: s('运行很流畅/续航很给力/音质很好'), neutral: s('续航一般/功能够用'), negative: s('经常卡顿死机/续航太差/用了两天就坏了') },
      home: { positive: s('做工很扎实/用着很顺手/尺寸刚刚好'), neutral: s('尺寸比想象的小/安装有点麻烦'), negative: s('有很大的异味/做工很粗糙/收到就是坏的') },
      food: { positive: s('味道很好吃/很新鲜/家里人都爱吃'), neutral: s('味道普通/口味偏甜'), negative: s('一点都不新鲜/口感很差/快过期了') },
      baby: { positive: s('宝宝很喜欢/很柔软不红屁屁/材质很安全'), neutral: s('宝宝不太感兴趣/价格有点贵'), negative: s('宝宝用了起红疹/漏尿严重/有异味') },
      sport: { positive: s('穿着很舒服/很轻便/缓震很好'), neutral: s('鞋码偏大半码/透气性一般'), negative: s('穿两次就开胶/磨脚很严重/质量很差') },
      book: { positive: s('内容很精彩/印刷清晰/值得一读'), neutral: s('内容一般/纸张偏薄'), negative: s('盗版印刷模糊/内容空洞/书页破损') },
      pet: { positive: s('猫咪很爱吃/狗狗吃得很香/毛色变亮了'), neutral: s('吃得不多/适口性一般'), negative: s('吃了拉肚子/根本不吃/包装破了') },
      health: { positive: s('效果不错/用着很方便/测量很准'), neutral: s('效果还要再观察/说明书不清楚'), negative: s('测量不准/吃了没效果/包装破损') },
      jewel: { positive: s('很精致很有质感/戴着很好看/送人很有面子'), neutral: s('比图片小一点/光泽一般'), negative: s('戴几天就掉色/做工粗糙/链子断了') },
    },
    close: { positive: s('会回购的/推荐购买/下次还来'), neutral: s('再看看吧/勉强接受'), negative: s('不会再买了/已申请退货/大家慎重') },
  },
  en: {
    general: {
      positive: s('Very satisfied/Great quality/Excellent value for money/Love it/Beautifully packaged/Fast delivery/Exactly as described'),
      neutral: s('It is okay/Average/Nothing special/Does the job/About what I expected'),
      negative: s('Very disappointed/Terrible quality/Not as described/Poor workmanship/Not worth the price/Complete waste of money'),
    },
    aspect: {
      apparel: { positive: s('the fabric feels great/the fit is perfect'), neutral: s('runs slightly large'), negative: s('pilled after one wash/the colour is totally off') },
      tech: { positive: s('runs smoothly/battery life is great'), neutral: s('battery life is average'), negative: s('keeps freezing/stopped working after two days') },
      food: { positive: s('tastes delicious/very fresh'), neutral: s('taste is ordinary'), negative: s('not fresh at all/tastes awful') },
    },
    close: { positive: s('will buy again/highly recommend'), neutral: s('might try another brand'), negative: s('will not buy again/returning it') },
  },
};

export function sentimentOfRating(rating: number): Sentiment {
  return rating >= 4 ? 'positive' : rating === 3 ? 'neutral' : 'negative';
}

/** Rating 1–5 from hidden item quality plus a shopper's mood; skewed to 5 as real shops are. */
export function drawRating(rng: Rng, quality: number): number {
  const x = quality + rng.normal(0, 0.16);
  return x > 0.7 ? 5 : x > 0.55 ? 4 : x > 0.42 ? 3 : x > 0.3 ? 2 : 1;
}

/** A review body whose every phrase comes from the bank of the rating's sentiment. */
export function reviewText(rng: Rng, rating: number, kind: AttrKind, lang: 'zh' | 'en'): string {
  const bank = PHRASES[lang];
  const sent = sentimentOfRating(rating);
  const parts = [rng.pick(bank.general[sent])];
  const aspect = bank.aspect[kind];
  if (aspect && rng.chance(0.8)) parts.push(rng.pick(aspect[sent]));
  if (rng.chance(0.6)) parts.push(rng.pick(bank.close[sent]));
  return lang === 'zh' ? parts.join('，') + (sent === 'negative' ? '！' : '。') : parts.join(', ') + '.';
}

/** Which bank a text's phrases come from (for tests and for labelling a sentiment fixture). */
export function bankOf(text: string): Sentiment | null {
  for (const lang of ['zh', 'en'] as const) {
    const bank = PHRASES[lang];
    for (const sent of ['positive', 'neutral', 'negative'] as Sentiment[]) {
      if (bank.general[sent].some((p) => text.startsWith(p))) return sent;
    }
  }
  return null;
}
