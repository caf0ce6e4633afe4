import type { Rule } from '../../segments/index.ts';
import type { JourneyInput } from './definition.ts';

/**
 * The classic journeys, ready to copy (GET /api/v1/journeys/templates): each a complete definition with
 * bilingual names and sample content. A template that starts on a segment names the segment it needs
 * (`segment`: create it, then put its id in `entry.segmentId`).
 */
export interface JourneyTemplate {
  id: string;
  name_zh: string;
  name_en: string;
  description_zh: string;
  description_en: string;
  journey: JourneyInput;
  /** the segment the entry expects, when the journey starts on one */
  segment?: { name_zh: string; name_en: string; rule: Rule };
}

export const JOURNEY_TEMPLATES: JourneyTemplate[] = [
  {
    id: 'abandoned_cart',
    name_zh: '购物车放弃挽回',
    name_en: 'Abandoned cart',
    description_zh: '加购后 1 小时未下单，发送提醒邮件；下单即退出。',
    description_en: 'An hour after adding to cart without an order, an email reminder; ordering ends the journey.',
    journey: {
      name: '购物车放弃挽回 / Abandoned cart',
      entry: { kind: 'event', event: 'Product Added' },
      steps: [
        { id: 'wait_order', type: 'wait', duration: { hours: 1 }, until: { event: 'Order Completed' }, onEvent: 'ordered', next: 'remind' },
        {
          id: 'remind', type: 'send', channel: 'email',
          content: {
            subject: { 'zh-CN': '{{traits.firstName}}，您的购物车还在等您', en: '{{traits.firstName}}, your cart is waiting' },
            body: {
              'zh-CN': '您加入购物车的商品还在，库存有限，尽快下单吧。\n{{#recommendations}}· {{name}} {{url}}\n{{/recommendations}}',
              en: 'The items in your cart are still there, while stock lasts.\n{{#recommendations}}· {{name}} {{url}}\n{{/recommendations}}',
            },
            url: 'https://shop.example.com/cart',
            recommendations: 3,
          },
          next: 'end',
        },
        { id: 'ordered', type: 'exit' },
        { id: 'end', type: 'exit' },
      ],
      exitOn: [{ event: 'Order Completed' }],
      reentry: { policy: 'cooldown', cooldown: { days: 1 } },
      holdout: 0.1,
    },
  },
  {
    id: 'browse_abandonment',
    name_zh: '浏览未加购挽回',
    name_en: 'Browse abandonment',
    description_zh: '浏览商品 4 小时内未加购，推送相似商品。',
    description_en: 'A product viewed and nothing added to cart within 4 hours: a push with similar products.',
    journey: {
      name: '浏览未加购挽回 / Browse abandonment',
      entry: { kind: 'event', event: 'Product Viewed' },
      steps: [
        { id: 'wait_cart', type: 'wait', duration: { hours: 4 }, until: { event: 'Product Added' }, onEvent: 'added', next: 'nudge' },
        {
          id: 'nudge', type: 'send', channel: 'push',
          content: {
            subject: { 'zh-CN': '还在考虑吗？', en: 'Still thinking it over?' },
            body: { 'zh-CN': '为您挑选了几件相似好物：{{#recommendations}}{{name}} {{/recommendations}}', en: 'A few similar picks for you: {{#recommendations}}{{name}} {{/recommendations}}' },
            recommendations: 3,
          },
        },
        { id: 'added', type: 'exit' },
      ],
      exitOn: [{ event: 'Order Completed' }],
      reentry: { policy: 'cooldown', cooldown: { days: 7 } },
      holdout: 0.1,
    },
  },
  {
    id: 'post_purchase_cross_sell',
    name_zh: '购后交叉销售',
    name_en: 'Post-purchase cross-sell',
    description_zh: '下单 3 天后，发送搭配推荐商品的邮件。',
    description_en: 'Three days after an order, an email with recommended products to go with it.',
    journey: {
      name: '购后交叉销售 / Post-purchase cross-sell',
      entry: { kind: 'event', event: 'Order Completed' },
      steps: [
        { id: 'wait_3d', type: 'wait', duration: { days: 3 }, next: 'cross_sell' },
        {
          id: 'cross_sell', type: 'send', channel: 'email',
          content: {
            subject: { 'zh-CN': '为您的新宝贝搭配这些', en: 'Goes well with your new purchase' },
            body: {
              'zh-CN': '感谢您的购买！买过的顾客也喜欢：\n{{#recommendations}}· {{name}} {{url}}\n{{/recommendations}}',
              en: 'Thank you for your order! Customers who bought it also liked:\n{{#recommendations}}· {{name}} {{url}}\n{{/recommendations}}',
            },
            recommendations: 4,
          },
        },
      ],
      exitOn: [],
      reentry: { policy: 'cooldown', cooldown: { days: 14 } },
      holdout: 0.1,
    },
  },
  {
    id: 'winback',
    name_zh: '衰退/流失用户召回',
    name_en: 'Win-back of declining and churned users',
    description_zh: '用户进入「衰退/流失」分群时发送优惠券；7 天内未下单且已流失，再发短信加码。',
    description_en: 'On entering the declining/churned segment, a coupon email; no order within 7 days and churned: a bigger SMS offer.',
    segment: { name_zh: '衰退/流失用户', name_en: 'Declining and churned users', rule: { lifecycle: ['declining', 'churned'] } },
    journey: {
      name: '衰退/流失用户召回 / Win-back',
      entry: { kind: 'segment', segmentId: 'lapsing' },
      steps: [
        {
          id: 'coupon', type: 'send', channel: 'email',
          content: {
            subject: { 'zh-CN': '好久不见，送您一张 {{coupon.value}} 元券', en: 'We miss you: ¥{{coupon.value}} off' },
            body: { 'zh-CN': '专属优惠券 {{coupon.code}}，7 天内有效。', en: 'Your coupon {{coupon.code}} is valid for 7 days.' },
            coupon: { value: 20, validDays: 7 },
          },
          next: 'wait_order',
        },
        { id: 'wait_order', type: 'wait', duration: { days: 7 }, until: { event: 'Order Completed' }, onEvent: 'won_back', next: 'still_gone' },
        { id: 'still_gone', type: 'split', condition: { tag: 'lifecycle_stage', op: 'eq', value: 'churned' }, yes: 'bigger_offer', no: 'end' },
        {
          id: 'bigger_offer', type: 'send', channel: 'sms',
          content: { body: { 'zh-CN': '【回归礼】{{coupon.value}} 元无门槛券 {{coupon.code}}，3 天内有效。回T退订', en: 'Welcome back: ¥{{coupon.value}} off with {{coupon.code}}, 3 days. Reply STOP to opt out' }, coupon: { value: 50, validDays: 3 } },
        },
        { id: 'won_back', type: 'exit' },
        { id: 'end', type: 'exit' },
      ],
      exitOn: [],
      reentry: { policy: 'cooldown', cooldown: { days: 30 } },
      holdout: 0.1,
    },
  },
  {
    id: 'onboarding',
    name_zh: '新用户引导',
    name_en: 'New-user onboarding',
    description_zh: '注册后：欢迎消息、第 2 天新人券、第 5 天未下单则推荐热卖。',
    description_en: 'After sign-up: a welcome, a new-member coupon on day 2, bestsellers on day 5 unless they have ordered.',
    journey: {
      name: '新用户引导 / Onboarding',
      entry: { kind: 'event', event: 'Signed Up' },
      steps: [
        { id: 'welcome', type: 'send', channel: 'inapp', content: { subject: { 'zh-CN': '欢迎加入', en: 'Welcome' }, body: { 'zh-CN': '欢迎来到本店，逛逛今日上新吧！', en: 'Welcome to the shop. Have a look at today’s new arrivals!' } }, next: 'wait_2d' },
        { id: 'wait_2d', type: 'wait', duration: { days: 2 }, next: 'first_coupon' },
        {
          id: 'first_coupon', type: 'send', channel: 'email',
          content: {
            subject: { 'zh-CN': '新人专享 {{coupon.value}} 元券', en: 'A ¥{{coupon.value}} welcome coupon' },
            body: { 'zh-CN': '首单立减，券码 {{coupon.code}}。', en: 'Off your first order with {{coupon.code}}.' },
            coupon: { value: 10, validDays: 14 },
          },
          next: 'wait_3d',
        },
        { id: 'wait_3d', type: 'wait', duration: { days: 3 }, next: 'ordered' },
        { id: 'ordered', type: 'split', condition: { event: 'Order Completed', within: { days: 5 } }, yes: 'end', no: 'bestsellers' },
        {
          id: 'bestsellers', type: 'send', channel: 'push',
          content: { subject: { 'zh-CN': '大家都在买', en: 'What everyone is buying' }, body: { 'zh-CN': '{{#recommendations}}{{name}} {{/recommendations}}', en: '{{#recommendations}}{{name}} {{/recommendations}}' }, recommendations: 5 },
        },
        { id: 'end', type: 'exit' },
      ],
      exitOn: [],
      reentry: { policy: 'never' },
      holdout: 0.1,
    },
  },
  {
    id: 'birthday',
    name_zh: '生日关怀',
    name_en: 'Birthday',
    description_zh: '生日当天 9 点（店铺时区）发送生日券。',
    description_en: 'A birthday coupon at 9:00 (shop time zone) on the day.',
    journey: {
      name: '生日关怀 / Birthday',
      entry: { kind: 'date', trait: 'birthday', at: '09:00' },
      steps: [
        {
          id: 'greeting', type: 'send', channel: 'email',
          content: {
            subject: { 'zh-CN': '生日快乐，{{traits.firstName}}！', en: 'Happy birthday, {{traits.firstName}}!' },
            body: { 'zh-CN': '送您一张 {{coupon.value}} 元生日券 {{coupon.code}}，本月有效。', en: 'A ¥{{coupon.value}} birthday coupon for you: {{coupon.code}}, valid this month.' },
            coupon: { value: 30, validDays: 30 },
          },
        },
      ],
      exitOn: [],
      reentry: { policy: 'cooldown', cooldown: { days: 300 } },
      holdout: 0.1,
    },
  },
];
