import { useCallback } from 'react';
import { useI18n } from '../../i18n/index.tsx';
import { enumLabel } from '../../tagText.ts';
import type { ValueLabels, ValueType } from '../../types.ts';

/** How a distribution bucket is labelled: yes/no for booleans, labelled codes for coded enums, else as given. */
export function useBucketLabel(code: string, valueType: ValueType, labels?: ValueLabels | null): (v: string) => string {
  const { t, lang } = useI18n();
  return useCallback(
    (v: string) => {
      if (valueType === 'boolean' && (v === 'true' || v === 'false' || v === '1' || v === '0')) return t(v === 'true' || v === '1' ? 'value.true' : 'value.false');
      if (valueType === 'enum') return enumLabel(code, v, t, labels, lang);
      return v;
    },
    [code, valueType, labels, t, lang],
  );
}
