import { labels, stat, tag, type Builtin } from './define.ts';

/** 基础属性: who the user is, from `identify` traits and their devices. */
export const basic: Builtin[] = [
  {
    code: 'gender', category: 'basic', name_zh: '性别', name_en: 'Gender', valueType: 'enum',
    spec: { type: 'trait', trait: 'gender' },
    labels: labels({ female: ['女', 'Female'], male: ['男', 'Male'] }),
  },
  {
    code: 'age', category: 'basic', name_zh: '年龄', name_en: 'Age', valueType: 'number',
    spec: { type: 'trait', trait: 'age' },
  },
  {
    code: 'age_band', category: 'basic', name_zh: '年龄段', name_en: 'Age band', valueType: 'enum',
    spec: {
      type: 'bins', of: tag('age'),
      bins: [{ upTo: 18, label: '<18' }, { upTo: 25, label: '18-24' }, { upTo: 30, label: '25-29' }, { upTo: 35, label: '30-34' },
        { upTo: 40, label: '35-39' }, { upTo: 50, label: '40-49' }, { label: '50+' }],
    },
  },
  { code: 'city', category: 'basic', name_zh: '城市', name_en: 'City', valueType: 'string', spec: { type: 'trait', trait: 'address.city' } },
  {
    code: 'city_tier', category: 'basic', name_zh: '城市等级', name_en: 'City tier', valueType: 'enum',
    spec: { type: 'trait', trait: 'city_tier' },
    labels: labels({ 一线: ['一线', 'Tier 1'], 新一线: ['新一线', 'New tier 1'], 二线: ['二线', 'Tier 2'], 三线: ['三线', 'Tier 3'], 四线及以下: ['四线及以下', 'Tier 4 and below'] }),
  },
  {
    code: 'device_preference', category: 'basic', name_zh: '设备偏好', name_en: 'Preferred device', valueType: 'enum',
    description: 'The device type most of the user’s events in the last 90 days came from.',
    spec: { type: 'stat', stat: stat({ agg: 'mode', of: 'device_type', window: '90d' }).stat },
  },
  {
    code: 'acquisition_channel', category: 'basic', name_zh: '获客渠道', name_en: 'Acquisition channel', valueType: 'enum',
    description: 'The acquisition_channel trait, else the UTM source of the user’s first tagged visit.',
    spec: { type: 'expr', expr: { coalesce: [{ trait: 'acquisition_channel' }, stat({ agg: 'first', of: 'utm_source', where: [{ field: 'utm_source', op: 'exists' }] })] } },
  },
  {
    code: 'member_since', category: 'basic', name_zh: '注册日期', name_en: 'Member since', valueType: 'date',
    description: 'The createdAt trait, else the first time the user was seen.',
    spec: { type: 'expr', expr: { coalesce: [{ trait: 'createdAt' }, stat({ agg: 'firstTime' })] } },
  },
  {
    code: 'membership_tier', category: 'basic', name_zh: '会员等级', name_en: 'Membership tier', valueType: 'enum',
    description: 'By net spend in the last 365 days: < 500 regular, < 2000 silver, < 8000 gold, else platinum.',
    spec: { type: 'bins', of: tag('gmv_365d'), bins: [{ upTo: 500, label: 'regular' }, { upTo: 2000, label: 'silver' }, { upTo: 8000, label: 'gold' }, { label: 'platinum' }] },
    labels: labels({ regular: ['普通会员', 'Regular'], silver: ['白银会员', 'Silver'], gold: ['黄金会员', 'Gold'], platinum: ['铂金会员', 'Platinum'] }),
  },
  {
    code: 'loyalty_tier', category: 'basic', name_zh: '积分会员等级', name_en: 'Loyalty tier', kind: 'model', valueType: 'enum', refresh: 'scheduled',
    description: 'The tier of the points programme (docs/loyalty.md): the highest tier whose rolling points or rolling GMV threshold the member meets. Written by the loyalty engine whenever tiers change; tiers are configured through the API, so the values follow that configuration.',
    spec: { type: 'model', model: 'loyalty' },
    labels: labels({ bronze: ['青铜会员', 'Bronze'], silver: ['白银会员', 'Silver'], gold: ['黄金会员', 'Gold'], platinum: ['铂金会员', 'Platinum'] }),
  },
];
