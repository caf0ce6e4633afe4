import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { addDays } from '../dates.ts';

export type Preset = 7 | 30 | 90;
export type Selection = { preset: Preset } | { preset: 'custom'; from: string; to: string };

export const PRESETS: Preset[] = [7, 30, 90];
export const TIMEZONES = ['Asia/Shanghai', 'UTC', 'Asia/Hong_Kong', 'Asia/Singapore', 'Asia/Tokyo', 'Europe/London', 'America/New_York', 'America/Los_Angeles'] as const;

/**
 * Presets count back from the latest day with events; "custom" takes a first and a last day (both
 * inclusive here — the API's `to` is the day after, which the caller adds).
 */
export function RangePicker(props: {
  selection: Selection;
  /** the shown range, API form ([from, to)) */
  shown: { from: string; to: string } | null;
  tz: string;
  onSelect(s: Selection): void;
  onTz(tz: string): void;
}) {
  const { t } = useI18n();
  const { selection, shown } = props;
  const [custom, setCustom] = useState(selection.preset === 'custom');
  const [from, setFrom] = useState(shown?.from ?? '');
  const [last, setLast] = useState(shown ? addDays(shown.to, -1) : '');
  useEffect(() => {
    if (!shown || custom) return;
    setFrom(shown.from);
    setLast(addDays(shown.to, -1));
  }, [shown?.from, shown?.to, custom]);
  const invalid = !from || !last || from > last;

  return (
    <div className="range-picker">
      <div className="segmented" role="group">
        {PRESETS.map((n) => (
          <button
            type="button"
            key={n}
            className={!custom && selection.preset === n ? 'active' : ''}
            aria-pressed={!custom && selection.preset === n}
            onClick={() => {
              setCustom(false);
              props.onSelect({ preset: n });
            }}
          >
            {t('range.days', { n })}
          </button>
        ))}
        <button type="button" className={custom ? 'active' : ''} aria-pressed={custom} onClick={() => setCustom(true)}>
          {t('range.custom')}
        </button>
      </div>
      {custom && (
        <form
          className="custom-range"
          onSubmit={(e) => {
            e.preventDefault();
            if (!invalid) props.onSelect({ preset: 'custom', from, to: addDays(last, 1) });
          }}
        >
          <label>
            <span>{t('range.from')}</span>
            <input type="date" value={from} max={last || undefined} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <span className="dash">–</span>
          <label>
            <span>{t('range.to')}</span>
            <input type="date" value={last} min={from || undefined} onChange={(e) => setLast(e.target.value)} />
          </label>
          <button type="submit" className="btn primary" disabled={invalid}>
            {t('range.apply')}
          </button>
        </form>
      )}
      <label className="tz">
        <span>{t('range.tz')}</span>
        <select value={props.tz} onChange={(e) => props.onTz(e.target.value)}>
          {TIMEZONES.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
