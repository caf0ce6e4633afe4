import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import type { NumericSummary as Summary } from '../../types.ts';

const KEYS: (keyof Summary)[] = ['min', 'p25', 'median', 'p75', 'max', 'mean'];

/** Min, quartiles, max and mean of a number tag's values. */
export function NumericSummary({ numeric, testId }: { numeric: Summary; testId: string }) {
  const { t, fmt } = useI18n();
  return (
    <>
      <h3>{t('tags.numeric')}</h3>
      <dl className="numeric" data-testid={testId}>
        {KEYS.map((k) => (
          <div key={k} data-stat={k} data-value={numeric[k]}>
            <dt>{t(`num.${k}` as MessageKey)}</dt>
            <dd>{fmt.decimal(numeric[k])}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}
