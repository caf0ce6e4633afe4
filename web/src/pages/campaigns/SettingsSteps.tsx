import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import type { Draft, ScheduleKind } from './draft.ts';
import { CHANNELS } from './types.ts';

const SCHEDULES: ScheduleKind[] = ['now', 'at', 'recurring'];

/** Step 4: the channel and when to send (now, at a time, every day or week), with send-time optimisation. */
export function DeliveryStep({ draft, set }: { draft: Draft; set(p: Partial<Draft>): void }) {
  const { t } = useI18n();
  return (
    <div className="cmp-step" data-testid="step-delivery">
      <fieldset className="cmp-channels">
        <legend>{t('cmp.f.channel')}</legend>
        {CHANNELS.map((c) => (
          <label key={c} className={`cmp-channel${draft.channel === c ? ' on' : ''}`}>
            <input type="radio" name="channel" value={c} checked={draft.channel === c} onChange={() => set({ channel: c })} />
            <span className="cmp-channel-name">{t(`cmp.channel.${c}` as MessageKey)}</span>
            <span className="muted small">{t(`cmp.channel.hint.${c}` as MessageKey)}</span>
          </label>
        ))}
      </fieldset>
      <h3>{t('cmp.f.schedule')}</h3>
      <div className="segmented" role="group" aria-label={t('cmp.f.schedule')}>
        {SCHEDULES.map((k) => (
          <button key={k} type="button" className={draft.scheduleKind === k ? 'active' : ''} data-schedule={k} aria-pressed={draft.scheduleKind === k} onClick={() => set({ scheduleKind: k })}>
            {t(`cmp.sched.${k}` as MessageKey)}
          </button>
        ))}
      </div>
      {draft.scheduleKind === 'at' && (
        <label className="field cmp-narrow-field">
          {t('cmp.sched.at')}
          <input name="at" type="datetime-local" value={draft.at} onChange={(e) => set({ at: e.target.value })} />
        </label>
      )}
      {draft.scheduleKind === 'recurring' && (
        <div className="cmp-inline">
          <select name="every" value={draft.every} onChange={(e) => set({ every: e.target.value as Draft['every'] })} aria-label={t('cmp.sched.every')}>
            <option value="day">{t('cmp.sched.daily')}</option>
            <option value="week">{t('cmp.sched.weekly')}</option>
          </select>
          {draft.every === 'week' && (
            <select name="weekday" value={draft.weekday} onChange={(e) => set({ weekday: e.target.value })} aria-label={t('cmp.sched.weekday')}>
              {[1, 2, 3, 4, 5, 6, 0].map((d) => (
                <option key={d} value={d}>
                  {t(`cmp.weekday.${d}` as MessageKey)}
                </option>
              ))}
            </select>
          )}
          <label className="inline-field">
            <span>{t('cmp.sched.time')}</span>
            <input name="time" type="time" value={draft.time} onChange={(e) => set({ time: e.target.value })} />
          </label>
          <label className="inline-field">
            <span>{t('cmp.sched.until')}</span>
            <input name="until" type="date" value={draft.until} onChange={(e) => set({ until: e.target.value })} />
          </label>
        </div>
      )}
      <p className="muted small">{t(`cmp.sched.hint.${draft.scheduleKind}` as MessageKey)}</p>
      <label className="not-toggle">
        <input type="checkbox" name="sto" checked={draft.sendTimeOptimisation} onChange={(e) => set({ sendTimeOptimisation: e.target.checked })} />
        {t('cmp.sched.sto')}
      </label>
      <p className="muted small">{t('cmp.sched.stoHint')}</p>
    </div>
  );
}

/** Step 5: the holdout, the A/B weights (edited with the content), the automatic winner, and the budget. */
export function ExperimentStep({ draft, set }: { draft: Draft; set(p: Partial<Draft>): void }) {
  const { t } = useI18n();
  const ab = draft.variants.length > 1;
  const total = draft.variants.reduce((s, v) => s + (Number(v.weight) > 0 ? Number(v.weight) : 0), 0);
  return (
    <div className="cmp-step" data-testid="step-experiment">
      <div className="form-grid">
        <label className="field">
          {t('cmp.exp.holdout')}
          <input name="holdout" type="number" min={0} max={90} step="any" value={draft.holdout} onChange={(e) => set({ holdout: e.target.value })} />
          <span className="muted small">{t('cmp.exp.holdoutHint')}</span>
        </label>
      </div>
      <h3>{t('cmp.exp.variants')}</h3>
      <table className="table compact" data-testid="variant-weights">
        <thead>
          <tr>
            <th>{t('cmp.content.variant')}</th>
            <th className="num">{t('cmp.content.weight')}</th>
            <th className="num">{t('cmp.exp.share')}</th>
          </tr>
        </thead>
        <tbody>
          {draft.variants.map((v, i) => (
            <tr key={i}>
              <td>{v.name}</td>
              <td className="num">
                <input
                  name="weight"
                  type="number"
                  min={0}
                  step="any"
                  className="narrow"
                  value={v.weight}
                  onChange={(e) => set({ variants: draft.variants.map((x, j) => (j === i ? { ...x, weight: e.target.value } : x)) })}
                />
              </td>
              <td className="num">{total > 0 && Number(v.weight) > 0 ? `${((Number(v.weight) / total) * 100).toFixed(1)}%` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!ab && <p className="muted small">{t('cmp.exp.oneVariant')}</p>}
      {ab && (
        <div className="cmp-inline">
          <label className="not-toggle">
            <input type="checkbox" name="autoWinner" checked={draft.autoWinner} onChange={(e) => set({ autoWinner: e.target.checked })} />
            {t('cmp.exp.autoWinner')}
          </label>
          {draft.autoWinner && (
            <>
              <label className="inline-field">
                <span>{t('cmp.exp.metric')}</span>
                <select name="metric" value={draft.metric} onChange={(e) => set({ metric: e.target.value as Draft['metric'] })}>
                  {(['cvr', 'ctr', 'gmv'] as const).map((m) => (
                    <option key={m} value={m}>
                      {t(`cmp.metric.${m}` as MessageKey)}
                    </option>
                  ))}
                </select>
              </label>
              <label className="inline-field">
                <span>{t('cmp.exp.minSample')}</span>
                <input name="minSample" type="number" min={10} step={1} className="narrow" value={draft.minSample} onChange={(e) => set({ minSample: e.target.value })} />
              </label>
            </>
          )}
        </div>
      )}
      <h3>{t('cmp.budget')}</h3>
      <div className="form-grid">
        <label className="field">
          {t('cmp.budget.maxSends')}
          <input name="maxSends" type="number" min={1} step={1} placeholder={t('cmp.budget.unlimited')} value={draft.maxSends} onChange={(e) => set({ maxSends: e.target.value })} />
        </label>
        <label className="field">
          {t('cmp.budget.coupon')}
          <input name="couponBudget" type="number" min={0} step="any" placeholder={t('cmp.budget.unlimited')} value={draft.couponBudget} onChange={(e) => set({ couponBudget: e.target.value })} />
        </label>
      </div>
    </div>
  );
}
