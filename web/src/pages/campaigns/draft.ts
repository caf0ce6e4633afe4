import type { Audience, CampaignInput, ChannelName, Content, Schedule, Variant } from './types.ts';

/** The wizard's form state: everything as the inputs hold it (strings for numbers being typed). */
export interface VariantDraft {
  name: string;
  weight: string;
  subject: { zh: string; en: string };
  body: { zh: string; en: string };
  url: string;
  recommendations: string;
  coupon: { on: boolean; value: string; category: string; validDays: string };
}

export type AudienceKind = Audience['kind'];
export type ScheduleKind = Schedule['kind'];

export interface Draft {
  name: string;
  owner: string;
  audienceKind: AudienceKind;
  segmentId: string;
  lookalikeSize: string;
  listText: string;
  goalEvent: string;
  windowDays: string;
  category: string;
  variants: VariantDraft[];
  channel: ChannelName;
  scheduleKind: ScheduleKind;
  /** `datetime-local` value, in the browser's time zone */
  at: string;
  every: 'day' | 'week';
  time: string;
  weekday: string;
  until: string;
  sendTimeOptimisation: boolean;
  /** per cent */
  holdout: string;
  autoWinner: boolean;
  metric: 'ctr' | 'cvr' | 'gmv';
  minSample: string;
  maxSends: string;
  couponBudget: string;
}

export const GOAL_EVENTS = ['Order Completed', 'Product Added', 'Checkout Started', 'Product Viewed', 'Signed Up'];

export function newVariant(name: string): VariantDraft {
  return {
    name,
    weight: '1',
    subject: { zh: '', en: '' },
    body: { zh: '', en: '' },
    url: '',
    recommendations: '0',
    coupon: { on: false, value: '10', category: '', validDays: '7' },
  };
}

export function emptyDraft(): Draft {
  return {
    name: '',
    owner: '',
    audienceKind: 'segment',
    segmentId: '',
    lookalikeSize: '500',
    listText: '',
    goalEvent: 'Order Completed',
    windowDays: '7',
    category: '',
    variants: [newVariant('A')],
    channel: 'inapp',
    scheduleKind: 'now',
    at: '',
    every: 'day',
    time: '10:00',
    weekday: '1',
    until: '',
    sendTimeOptimisation: false,
    holdout: '10',
    autoWinner: false,
    metric: 'cvr',
    minSample: '1000',
    maxSends: '',
    couponBudget: '',
  };
}

/** `datetime-local` text of an instant, in the browser's time zone */
function localInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A saved campaign as a wizard draft (to start a new campaign from a copy of it). */
export function draftOf(c: CampaignInput, name: string): Draft {
  const d = emptyDraft();
  const a = c.audience;
  const s = c.schedule;
  const str = (n: number | undefined) => (n === undefined ? '' : String(n));
  return {
    ...d,
    name,
    owner: c.owner,
    audienceKind: a.kind,
    segmentId: a.kind === 'list' ? '' : a.segmentId,
    lookalikeSize: a.kind === 'lookalike' ? String(a.size) : d.lookalikeSize,
    listText: a.kind === 'list' ? a.userIds.join('\n') : '',
    goalEvent: c.goal.event,
    windowDays: String(c.goal.windowDays),
    category: c.goal.category ?? '',
    variants: c.variants.map((v) => ({
      name: v.name,
      weight: String(v.weight),
      subject: { zh: v.content.subject?.['zh-CN'] ?? '', en: v.content.subject?.en ?? '' },
      body: { zh: v.content.body['zh-CN'] ?? '', en: v.content.body.en ?? '' },
      url: v.content.url ?? '',
      recommendations: String(v.content.recommendations ?? 0),
      coupon: v.content.coupon
        ? { on: true, value: String(v.content.coupon.value), category: v.content.coupon.category ?? '', validDays: String(v.content.coupon.validDays) }
        : d.variants[0]!.coupon,
    })),
    channel: c.channel,
    scheduleKind: s.kind,
    at: s.kind === 'at' ? localInput(s.at) : '',
    every: s.kind === 'recurring' ? s.every : d.every,
    time: s.kind === 'recurring' ? s.at : d.time,
    weekday: s.kind === 'recurring' && s.weekday !== undefined ? String(s.weekday) : d.weekday,
    until: s.kind === 'recurring' && s.until ? localInput(s.until).slice(0, 10) : '',
    sendTimeOptimisation: c.sendTimeOptimisation,
    holdout: String(Math.round(c.experiment.holdout * 1000) / 10),
    autoWinner: Boolean(c.experiment.autoWinner),
    metric: c.experiment.autoWinner?.metric ?? d.metric,
    minSample: c.experiment.autoWinner ? String(c.experiment.autoWinner.minSample) : d.minSample,
    maxSends: str(c.budget.maxSends),
    couponBudget: str(c.budget.couponBudget),
  };
}

/** The user ids pasted into the list box: split on commas, spaces and lines, duplicates dropped. */
export function parseIds(text: string): string[] {
  return [...new Set(text.split(/[\s,;，；]+/).map((s) => s.trim()).filter(Boolean))];
}

const num = (s: string): number | null => {
  if (s.trim() === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
};

/** The audience the draft names, or null while it is not filled in. */
export function audienceOf(d: Draft): Audience | null {
  if (d.audienceKind === 'segment') return d.segmentId ? { kind: 'segment', segmentId: d.segmentId } : null;
  if (d.audienceKind === 'lookalike') {
    const size = num(d.lookalikeSize);
    // the lookalike engine returns at most 10,000 people
    return d.segmentId && size !== null && size >= 1 && size <= 10_000 ? { kind: 'lookalike', segmentId: d.segmentId, size: Math.round(size) } : null;
  }
  const ids = parseIds(d.listText);
  return ids.length ? { kind: 'list', userIds: ids } : null;
}

/** One variant's content: empty locales and optional parts left out. */
export function contentOf(v: VariantDraft): Content {
  const pick = (x: { zh: string; en: string }) => {
    const out: Partial<Record<'zh-CN' | 'en', string>> = {};
    if (x.zh.trim()) out['zh-CN'] = x.zh;
    if (x.en.trim()) out.en = x.en;
    return out;
  };
  const c: Content = { body: pick(v.body) };
  const subject = pick(v.subject);
  if (Object.keys(subject).length) c.subject = subject;
  if (v.url.trim()) c.url = v.url.trim();
  const recs = num(v.recommendations);
  if (recs) c.recommendations = Math.round(recs);
  if (v.coupon.on) {
    c.coupon = { value: num(v.coupon.value) ?? 0, validDays: Math.round(num(v.coupon.validDays) ?? 7) };
    if (v.coupon.category.trim()) c.coupon.category = v.coupon.category.trim();
  }
  return c;
}

export function scheduleOf(d: Draft): Schedule {
  if (d.scheduleKind === 'now') return { kind: 'now' };
  if (d.scheduleKind === 'at') {
    const t = d.at ? new Date(d.at) : null;
    return { kind: 'at', at: t && !Number.isNaN(t.getTime()) ? t.toISOString() : d.at };
  }
  const s: Schedule = { kind: 'recurring', every: d.every, at: d.time };
  if (d.every === 'week') s.weekday = Number(d.weekday);
  if (d.until) {
    // the last day, to its end in the browser's time zone
    const end = new Date(`${d.until}T23:59:59`);
    s.until = Number.isNaN(end.getTime()) ? d.until : end.toISOString();
  }
  return s;
}

/** The body of POST /api/v1/campaigns. Unfilled numbers go as they are, so the server names the field. */
export function toInput(d: Draft): CampaignInput {
  const variants: Variant[] = d.variants.map((v) => ({ name: v.name.trim(), weight: num(v.weight) ?? Number.NaN, content: contentOf(v) }));
  const budget: CampaignInput['budget'] = {};
  const maxSends = num(d.maxSends);
  const couponBudget = num(d.couponBudget);
  if (maxSends !== null) budget.maxSends = Math.round(maxSends);
  if (couponBudget !== null) budget.couponBudget = couponBudget;
  const input: CampaignInput = {
    name: d.name.trim(),
    channel: d.channel,
    audience: audienceOf(d) ?? { kind: 'list', userIds: [] },
    goal: { event: d.goalEvent.trim(), windowDays: num(d.windowDays) ?? Number.NaN, ...(d.category.trim() ? { category: d.category.trim() } : {}) },
    variants,
    experiment: {
      holdout: (num(d.holdout) ?? 0) / 100,
      ...(d.autoWinner && variants.length > 1 ? { autoWinner: { metric: d.metric, minSample: Math.round(num(d.minSample) ?? 0) } } : {}),
    },
    schedule: scheduleOf(d),
    budget,
    sendTimeOptimisation: d.sendTimeOptimisation,
    owner: d.owner.trim(),
  };
  return input;
}

/** What keeps each wizard step from being done (message keys' suffixes), empty when it is. */
export function problems(d: Draft): Record<'audience' | 'goal' | 'content' | 'delivery' | 'experiment', string[]> {
  const out = { audience: [] as string[], goal: [] as string[], content: [] as string[], delivery: [] as string[], experiment: [] as string[] };
  if (!audienceOf(d)) out.audience.push(d.audienceKind === 'list' ? 'noIds' : d.segmentId ? 'badSize' : 'noSegment');
  const w = num(d.windowDays);
  if (!d.goalEvent.trim()) out.goal.push('noEvent');
  if (w === null || w < 1) out.goal.push('badWindow');
  const names = d.variants.map((v) => v.name.trim());
  if (names.some((n) => !n)) out.content.push('noName');
  if (new Set(names).size !== names.length) out.content.push('dupName');
  if (names.some((n) => n === 'control')) out.content.push('controlName');
  if (names.some((n) => n && !/^[A-Za-z0-9_-]+$/.test(n))) out.content.push('badName');
  if (d.variants.some((v) => !v.body.zh.trim() && !v.body.en.trim())) out.content.push('noBody');
  if (d.variants.some((v) => !(Number(v.weight) > 0))) out.content.push('badWeight');
  if (d.scheduleKind === 'at' && !d.at) out.delivery.push('noTime');
  if (d.scheduleKind === 'recurring' && !/^\d{2}:\d{2}$/.test(d.time)) out.delivery.push('noTime');
  const h = num(d.holdout);
  if (h === null || h < 0 || h > 90) out.experiment.push('badHoldout');
  if (d.autoWinner && d.variants.length > 1 && !(Number(d.minSample) >= 10)) out.experiment.push('badSample');
  return out;
}
