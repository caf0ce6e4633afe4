import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { OPS, takesList, takesValue, type FilterDraft, type Op } from './specDraft.ts';

/** The builder's filter rows: field, operator, value (a comma-separated list for in / not in); field names are suggested from the datalist `listId`. */
export function FilterRows({ filters, onChange, listId = 'hx-fields' }: { filters: FilterDraft[]; onChange(f: FilterDraft[]): void; listId?: string }) {
  const { t } = useI18n();
  const update = (i: number, patch: Partial<FilterDraft>) => onChange(filters.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  return (
    <fieldset className="filters">
      <legend>{t('builder.filters')}</legend>
      {filters.length === 0 && <p className="muted small">{t('builder.noFilters')}</p>}
      {filters.map((f, i) => (
        <div className="filter-row" key={i} data-filter={i}>
          <input aria-label={t('builder.field')} list={listId} value={f.field} placeholder="category" onChange={(e) => update(i, { field: e.target.value })} spellCheck={false} />
          <select aria-label="op" value={f.op} onChange={(e) => update(i, { op: e.target.value as Op })}>
            {OPS.map((op) => (
              <option key={op} value={op}>
                {t(`op.${op}` as MessageKey)}
              </option>
            ))}
          </select>
          <input
            aria-label={t('builder.value')}
            value={takesValue(f.op) ? f.value : ''}
            disabled={!takesValue(f.op)}
            placeholder={takesList(f.op) ? t('builder.listHint') : t('builder.value')}
            onChange={(e) => update(i, { value: e.target.value })}
          />
          <button type="button" className="btn ghost small" onClick={() => onChange(filters.filter((_, j) => j !== i))}>
            {t('builder.remove')}
          </button>
        </div>
      ))}
      <button type="button" className="btn small" onClick={() => onChange([...filters, { field: '', op: 'eq', value: '' }])} data-testid="add-filter">
        + {t('builder.addFilter')}
      </button>
    </fieldset>
  );
}
