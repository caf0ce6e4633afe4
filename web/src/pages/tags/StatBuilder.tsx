import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { FilterRows } from './FilterRows.tsx';
import { AGGS, EVENTS, FIELDS, WINDOWS, needsField, type Agg, type StatDraft } from './specDraft.ts';

/** The guided builder of a statistical tag: aggregate, field, event, window and filters. */
export function StatBuilder({ draft, onChange }: { draft: StatDraft; onChange(d: StatDraft): void }) {
  const { t } = useI18n();
  const set = (patch: Partial<StatDraft>) => onChange({ ...draft, ...patch });
  const withField = needsField(draft.agg);
  return (
    <div className="builder" data-testid="stat-builder">
      <div className="builder-grid">
        <label className="field">
          <span>{t('builder.agg')}</span>
          <select name="agg" value={draft.agg} onChange={(e) => set({ agg: e.target.value as Agg })}>
            {AGGS.map((a) => (
              <option key={a} value={a}>
                {t(`agg.${a}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('builder.field')}</span>
          <input
            name="of"
            list="hx-fields"
            value={withField ? draft.field : ''}
            disabled={!withField}
            placeholder={withField ? 'revenue' : t('builder.fieldNone')}
            onChange={(e) => set({ field: e.target.value })}
            spellCheck={false}
          />
        </label>
        <label className="field">
          <span>{t('builder.event')}</span>
          <select name="event" value={draft.event} onChange={(e) => set({ event: e.target.value })}>
            <option value="">{t('builder.anyEvent')}</option>
            {EVENTS.map((ev) => (
              <option key={ev} value={ev}>
                {ev}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('builder.window')}</span>
          <select name="window" value={draft.window} onChange={(e) => set({ window: e.target.value })}>
            {WINDOWS.map((w) => (
              <option key={w} value={w}>
                {w === 'all' ? t('window.all') : t('range.days', { n: w.slice(0, -1) })}
              </option>
            ))}
          </select>
        </label>
      </div>
      <FilterRows filters={draft.filters} onChange={(filters) => set({ filters })} />
      <datalist id="hx-fields">
        {FIELDS.map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
    </div>
  );
}
