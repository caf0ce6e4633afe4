import { activity } from './activity.ts';
import { basic } from './basic.ts';
import { consumption, rfm } from './consumption.ts';
import type { Builtin } from './define.ts';
import { privacy, reviews, search, social } from './engagement.ts';
import { lifecycle } from './lifecycle.ts';
import { model } from './model.ts';
import { preference } from './preference.ts';
import { traits } from './traits.ts';

export type { Builtin } from './define.ts';

/** The category tree of the built-in library (TAGS.md). */
export const BUILTIN_CATEGORIES = [
  { code: 'basic', parent: null, name_zh: '基础属性', name_en: 'Basic' },
  { code: 'activity', parent: null, name_zh: '活跃度', name_en: 'Activity' },
  { code: 'lifecycle', parent: null, name_zh: '生命周期', name_en: 'Lifecycle' },
  { code: 'consumption', parent: null, name_zh: '消费属性', name_en: 'Consumption' },
  { code: 'rfm', parent: 'consumption', name_zh: 'RFM', name_en: 'RFM' },
  { code: 'preference', parent: null, name_zh: '偏好', name_en: 'Preferences' },
  { code: 'traits', parent: null, name_zh: '行为特征', name_en: 'Behavioural traits' },
  { code: 'search', parent: null, name_zh: '搜索', name_en: 'Search' },
  { code: 'social', parent: null, name_zh: '社交', name_en: 'Social' },
  { code: 'reviews', parent: null, name_zh: '评价', name_en: 'Reviews' },
  { code: 'model', parent: null, name_zh: '模型', name_en: 'Models' },
  { code: 'privacy', parent: null, name_zh: '合规', name_en: 'Privacy' },
  { code: 'custom', parent: null, name_zh: '自定义', name_en: 'Custom' },
] as const;

export const BUILTIN_TAGS: Builtin[] = [...basic, ...activity, ...lifecycle, ...consumption, ...rfm, ...preference, ...traits, ...search, ...social, ...reviews, ...model, ...privacy];
