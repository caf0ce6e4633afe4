import { useI18n } from '../i18n/index.tsx';
import { formatValue, isRanked, type TagShape } from '../tagText.ts';
import type { TagValue as Value } from '../types.ts';

/** A tag value formatted for its type; a ranked value is drawn as small weighted bars. */
export function TagValue({ tag, value }: { tag: TagShape; value: Value | undefined }) {
  const { t, fmt, lang } = useI18n();
  if (isRanked(value) && value.length) {
    const max = Math.max(...value.map((x) => x.weight), 1e-9);
    return (
      <ul className="ranked" data-value={value.map((x) => x.value).join(',')}>
        {value.map((x) => (
          <li key={x.value} title={fmt.decimal(x.weight, 3)}>
            <span className="ranked-label">{x.value}</span>
            <span className="ranked-track">
              <span className="ranked-fill" style={{ width: `${Math.max(4, (100 * x.weight) / max)}%` }} />
            </span>
          </li>
        ))}
      </ul>
    );
  }
  const text = formatValue(tag, value, t, fmt, lang);
  const cls = typeof value === 'boolean' ? `bool ${value ? 'yes' : 'no'}` : value === null || value === undefined ? 'none' : '';
  return (
    <span className={`tag-value ${cls}`} data-value={value === null || value === undefined ? '' : String(value)}>
      {text}
    </span>
  );
}
