import { useMemo, useState } from 'react';
import type { Selection } from '../../components/RangePicker.tsx';

/**
 * The date range and timezone every analytics report takes, as API query parameters: a preset asks for
 * the last N days up to the latest event (`days=N`), a custom range sends from/to (the picker's `to` is
 * already the API's exclusive day after).
 */
export function useReportQuery(initialPreset: Selection['preset'] = 30) {
  const [selection, setSelection] = useState<Selection>(initialPreset === 'custom' ? { preset: 30 } : { preset: initialPreset });
  const [tz, setTz] = useState('Asia/Shanghai');
  const range = useMemo(
    () => (selection.preset === 'custom' ? { from: selection.from, to: selection.to, tz } : { days: selection.preset, tz }),
    [selection, tz],
  );
  return { selection, setSelection, tz, setTz, range };
}
