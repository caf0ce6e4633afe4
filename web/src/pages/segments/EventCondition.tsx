import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { FilterRows } from '../tags/FilterRows.tsx';
import type { FilterDraft } from '../tags/specDraft.ts';
import { COUNT_OPS, type CountOp, type EventDraft } from './ruleDraft.ts';
import { WhenPicker } from './WhenPicker.tsx';

/** An event's filters, folded away until asked for (they open by themselves when there are some). */
export function WhereFilters({ where, onChange }: { where: FilterDraft[]; onChange(w: FilterDraft[]): void }) {
  const { t } = useI18n();
  return (
    <details className="where" open={where.length > 0 || undefined}>
      <summary>{t('seg.field.where', { n: where.length })}</summary>
      <FilterRows filters={where} onChange={onChange} listId="hx-event-fields" />
    </details>
  );
}

/** An event condition: which event(s), done or not, how many times, when, and filters on its fields. */
export function EventCondition({ draft, onChange }: { draft: EventDraft; onChange(d: EventDraft): void }) {
  const { t } = useI18n();
  const set = (patch: Partial<EventDraft>) => onChange({ ...draft, ...patch });
  return (
    <div className="cond-stack">
      <div className="cond-fields">
        <input name="event" list="hx-events" value={draft.event} onChange={(e) => set({ event: e.target.value })} placeholder="Order Completed" aria-label={t('seg.field.event')} spellCheck={false} className="wide-input" />
        <select name="performed" value={draft.performed ? 'did' : 'didNot'} onChange={(e) => set({ performed: e.target.value === 'did' })} aria-label={t('seg.field.performed')}>
          <option value="did">{t('seg.event.did')}</option>
          <option value="didNot">{t('seg.event.didNot')}</option>
        </select>
        {draft.performed && (
          <>
            <select name="countOp" value={draft.countOp} onChange={(e) => set({ countOp: e.target.value as CountOp | 'once' })} aria-label={t('seg.field.count')}>
              <option value="once">{t('seg.event.once')}</option>
              {COUNT_OPS.map((op) => (
                <option key={op} value={op}>
                  {t('seg.event.countOp', { op: t(`op.${op}` as MessageKey) })}
                </option>
              ))}
            </select>
            {draft.countOp !== 'once' && (
              <>
                <input name="count" type="number" min={0} className="narrow" value={draft.count} onChange={(e) => set({ count: e.target.value })} aria-label={t('seg.field.count')} />
                <span className="muted">{t('seg.event.times')}</span>
              </>
            )}
          </>
        )}
        <WhenPicker name="within" value={draft.when} onChange={(when) => set({ when })} />
      </div>
      <WhereFilters where={draft.where} onChange={(where) => set({ where })} />
    </div>
  );
}
