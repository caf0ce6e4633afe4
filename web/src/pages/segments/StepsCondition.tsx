import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { SPAN_UNITS, type SpanUnit, type StepsDraft } from './ruleDraft.ts';
import { WhereFilters } from './EventCondition.tsx';
import { WhenPicker } from './WhenPicker.tsx';

/**
 * A sequence (every step, in order, within a span of the first) or a funnel (at least `reached` steps in):
 * 2–10 steps of an event with optional filters, the span, and which events are looked at.
 */
export function StepsCondition({ draft, onChange }: { draft: StepsDraft; onChange(d: StepsDraft): void }) {
  const { t } = useI18n();
  const set = (patch: Partial<StepsDraft>) => onChange({ ...draft, ...patch });
  const setStep = (i: number, patch: Partial<StepsDraft['steps'][number]>) => set({ steps: draft.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  return (
    <div className="cond-stack">
      <ol className="steps">
        {draft.steps.map((s, i) => (
          <li key={i} data-step={i}>
            <div className="cond-fields">
              <span className="step-no">{i + 1}</span>
              <input name="stepEvent" list="hx-events" value={s.event} onChange={(e) => setStep(i, { event: e.target.value })} aria-label={t('seg.field.event')} spellCheck={false} className="wide-input" />
              {draft.steps.length > 2 && (
                <button type="button" className="btn ghost small" onClick={() => set({ steps: draft.steps.filter((_, j) => j !== i) })}>
                  {t('builder.remove')}
                </button>
              )}
            </div>
            <WhereFilters where={s.where} onChange={(where) => setStep(i, { where })} />
          </li>
        ))}
      </ol>
      <div className="cond-fields">
        {draft.steps.length < 10 && (
          <button type="button" className="btn small" onClick={() => set({ steps: [...draft.steps, { event: '', where: [] }] })} data-testid="add-step">
            + {t('seg.seq.addStep')}
          </button>
        )}
        {draft.kind === 'funnel' && (
          <label className="inline-field">
            <span>{t('seg.seq.reached')}</span>
            <input name="reached" type="number" min={1} max={draft.steps.length} className="narrow" value={draft.reached} onChange={(e) => set({ reached: e.target.value })} />
          </label>
        )}
        <span className="inline-field">
          <span>{t('seg.seq.within')}</span>
          <input name="spanN" type="number" min={1} className="narrow" value={draft.within.n} onChange={(e) => set({ within: { ...draft.within, n: e.target.value } })} />
          <select name="spanUnit" value={draft.within.unit} onChange={(e) => set({ within: { ...draft.within, unit: e.target.value as SpanUnit } })} aria-label={t('seg.seq.within')}>
            {SPAN_UNITS.map((u) => (
              <option key={u} value={u}>
                {t(`seg.unit.${u}N` as MessageKey)}
              </option>
            ))}
          </select>
        </span>
        <span className="inline-field">
          <span>{t('seg.seq.during')}</span>
          <WhenPicker name="during" value={draft.during} onChange={(during) => set({ during })} allLabel="seg.when.anyTime" />
        </span>
      </div>
    </div>
  );
}
