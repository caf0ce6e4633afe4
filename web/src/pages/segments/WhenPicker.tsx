import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { WHEN_TYPES, type WhenDraft, type WhenType } from './ruleDraft.ts';

/** A time range: all time, the last n days / hours, or two calendar dates (both included). */
export function WhenPicker({ value, onChange, name, allLabel }: { value: WhenDraft; onChange(w: WhenDraft): void; name: string; allLabel?: MessageKey }) {
  const { t } = useI18n();
  const set = (patch: Partial<WhenDraft>) => onChange({ ...value, ...patch });
  return (
    <span className="when">
      <select name={name} value={value.type} onChange={(e) => set({ type: e.target.value as WhenType })} aria-label={t('seg.field.when')}>
        {WHEN_TYPES.map((w) => (
          <option key={w} value={w}>
            {t(w === 'all' ? (allLabel ?? 'seg.when.all') : (`seg.when.${w}` as MessageKey))}
          </option>
        ))}
      </select>
      {(value.type === 'days' || value.type === 'hours') && (
        <input name={`${name}N`} type="number" min={1} className="narrow" value={value.n} onChange={(e) => set({ n: e.target.value })} aria-label={t(`seg.unit.${value.type}N` as MessageKey)} />
      )}
      {(value.type === 'days' || value.type === 'hours') && <span className="muted">{t(`seg.unit.${value.type}N` as MessageKey)}</span>}
      {value.type === 'range' && (
        <>
          <input name={`${name}From`} type="date" value={value.from} max={value.to || undefined} onChange={(e) => set({ from: e.target.value })} aria-label={t('range.from')} />
          <span className="muted">–</span>
          <input name={`${name}To`} type="date" value={value.to} min={value.from || undefined} onChange={(e) => set({ to: e.target.value })} aria-label={t('range.to')} />
        </>
      )}
    </span>
  );
}
