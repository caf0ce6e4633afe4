import { useI18n } from '../../i18n/index.tsx';

/** How many of each event the person sent, as bars. */
export function EventCounts({ counts }: { counts: Record<string, number> }) {
  const { t, fmt } = useI18n();
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const max = rows[0]?.[1] ?? 1;
  return (
    <div className="card">
      <h2>{t('profile.eventCounts')}</h2>
      <ul className="bars" data-testid="event-counts">
        {rows.map(([name, n]) => (
          <li key={name} data-event={name} data-count={n}>
            <span className="bar-label">{name}</span>
            <span className="bar-track">
              <span className="bar-fill" style={{ width: `${(100 * n) / max}%` }} />
            </span>
            <span className="bar-value">{fmt.number(n)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
