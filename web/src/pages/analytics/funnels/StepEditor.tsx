import { useI18n, type MessageKey } from '../../../i18n/index.tsx';
import type { EventName } from '../../../types.ts';

/** The editor's form of a step: values as typed (a list is comma-separated text until it is sent). */
export interface DraftFilter { field: string; op: string; value: string }
export interface DraftStep { event: string; where: DraftFilter[] }

// the API's fields (src/analytics/queries/funnelFilters.ts); properties.<key> is typed in by hand
export const TEXT_FIELDS = ['category', 'brand', 'product_id', 'query', 'coupon', 'page_path', 'utm_source', 'utm_medium', 'utm_campaign', 'device_type', 'os_name', 'currency', 'order_id', 'share_to', 'referrer', 'page_url', 'locale'];
export const NUMBER_FIELDS = ['price', 'quantity', 'revenue', 'discount', 'rating'];
const TEXT_OPS = ['eq', 'neq', 'in', 'not_in', 'contains', 'not_contains'];
const NUMBER_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'];
const PROPERTY = 'properties.';

const opsOf = (field: string) => (NUMBER_FIELDS.includes(field) ? NUMBER_OPS : field.startsWith(PROPERTY) ? [...TEXT_OPS, 'gt', 'gte', 'lt', 'lte'] : TEXT_OPS);

/** A draft filter as the API takes it, or null while it is incomplete (left out of the query). */
export function filterOf(f: DraftFilter): { field: string; op: string; value: string | number | (string | number)[] } | null {
  if (!f.field || f.field === PROPERTY || f.value.trim() === '') return null;
  const numeric = NUMBER_FIELDS.includes(f.field) || (f.field.startsWith(PROPERTY) && ['gt', 'gte', 'lt', 'lte'].includes(f.op));
  const one = (s: string) => (numeric ? Number(s) : s);
  if (f.op === 'in' || f.op === 'not_in') {
    const xs = f.value.split(/[,，]/).map((s) => s.trim()).filter(Boolean).map(one);
    return xs.some((x) => typeof x === 'number' && Number.isNaN(x)) || xs.length === 0 ? null : { field: f.field, op: f.op, value: xs };
  }
  const v = one(f.value.trim());
  return typeof v === 'number' && Number.isNaN(v) ? null : { field: f.field, op: f.op, value: v };
}

export function StepEditor({ steps, events, onChange }: { steps: DraftStep[]; events: EventName[]; onChange(steps: DraftStep[]): void }) {
  const { t } = useI18n();
  const names = [...new Set(events.map((e) => e.event))];
  const set = (i: number, s: DraftStep) => onChange(steps.map((x, k) => (k === i ? s : x)));
  return (
    <div className="funnel-steps" data-testid="funnel-steps">
      {steps.map((s, i) => (
        <div className="funnel-step" key={i} data-step={i + 1}>
          <div className="funnel-step-head">
            <span className="step-no">{i + 1}</span>
            <label className="inline-field">
              
              <select name="event" value={s.event} onChange={(e) => set(i, { ...s, event: e.target.value })} aria-label={t('funnel.step', { n: i + 1 })}>
                {!names.includes(s.event) && <option value={s.event}>{s.event}</option>}
                {names.map((n) => (
                  <option key={n} value={n}>{n}</option>
                ))}
              </select>
            </label>
            <button type="button" className="btn small ghost" data-action="add-filter" onClick={() => set(i, { ...s, where: [...s.where, { field: 'category', op: 'contains', value: '' }] })}>
              + {t('funnel.addFilter')}
            </button>
            {steps.length > 2 && (
              <button type="button" className="btn small ghost icon-btn" title={t('funnel.removeStep')} aria-label={t('funnel.removeStep')} data-action="remove-step" onClick={() => onChange(steps.filter((_, k) => k !== i))}>
                ×
              </button>
            )}
          </div>
          {s.where.map((f, j) => {
            const setF = (g: DraftFilter) => set(i, { ...s, where: s.where.map((x, k) => (k === j ? g : x)) });
            const custom = f.field.startsWith(PROPERTY);
            return (
              <div className="funnel-filter" key={j} data-filter={j}>
                <select name="field" value={custom ? PROPERTY : f.field} aria-label={t('funnel.field')} onChange={(e) => {
                  const field = e.target.value;
                  setF({ field, op: opsOf(field).includes(f.op) ? f.op : opsOf(field)[0]!, value: f.value });
                }}>
                  {[...TEXT_FIELDS, ...NUMBER_FIELDS].map((x) => <option key={x} value={x}>{x}</option>)}
                  <option value={PROPERTY}>{t('funnel.propertyKey')}</option>
                </select>
                {custom && (
                  <input name="key" placeholder="variant" value={f.field.slice(PROPERTY.length)} aria-label={t('funnel.propertyKey')} onChange={(e) => setF({ ...f, field: PROPERTY + e.target.value.trim() })} />
                )}
                <select name="op" value={f.op} aria-label={t('funnel.op')} onChange={(e) => setF({ ...f, op: e.target.value })}>
                  {opsOf(f.field).map((o) => <option key={o} value={o}>{t(`funnel.op.${o}` as MessageKey)}</option>)}
                </select>
                <input name="value" value={f.value} aria-label={t('funnel.value')} placeholder={f.op === 'in' || f.op === 'not_in' ? t('funnel.valueHint') : ''}
                  type={NUMBER_FIELDS.includes(f.field) && f.op !== 'in' && f.op !== 'not_in' ? 'number' : 'text'} onChange={(e) => setF({ ...f, value: e.target.value })} />
                <button type="button" className="btn small ghost" aria-label={t('funnel.removeFilter')} title={t('funnel.removeFilter')} onClick={() => set(i, { ...s, where: s.where.filter((_, k) => k !== j) })}>
                  ×
                </button>
              </div>
            );
          })}
        </div>
      ))}
      {steps.length < 8 && (
        <button type="button" className="btn small" data-action="add-step" onClick={() => onChange([...steps, { event: names.find((n) => !steps.some((s) => s.event === n)) ?? names[0] ?? 'Order Completed', where: [] }])}>
          + {t('funnel.addStep')}
        </button>
      )}
    </div>
  );
}
