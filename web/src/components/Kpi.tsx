import { useI18n, type MessageKey } from '../i18n/index.tsx';

export interface KpiProps {
  id: string;
  label: MessageKey;
  value: number;
  previous: number;
  change: number | null;
  display: string;
  /** ratios compare in percentage points, not relative change */
  kind?: 'count' | 'ratio';
}

/** A headline number with its change against the previous period of the same length. */
export function Kpi({ id, label, value, previous, change, display, kind = 'count' }: KpiProps) {
  const { t, fmt } = useI18n();
  let delta: string;
  let dir: 'up' | 'down' | 'flat' | 'none';
  if (kind === 'ratio') {
    const pp = (value - previous) * 100;
    dir = previous === 0 && value === 0 ? 'none' : pp > 0.05 ? 'up' : pp < -0.05 ? 'down' : 'flat';
    delta = dir === 'none' ? t('kpi.noPrev') : `${pp > 0 ? '+' : ''}${pp.toFixed(1)} ${t('kpi.pp')}`;
  } else if (change === null) {
    dir = 'none';
    delta = t('kpi.noPrev');
  } else {
    dir = change > 0.0005 ? 'up' : change < -0.0005 ? 'down' : 'flat';
    delta = `${change > 0 ? '+' : ''}${fmt.percent(change)}`;
  }
  const arrow = dir === 'up' ? '▲' : dir === 'down' ? '▼' : dir === 'flat' ? '■' : '';
  return (
    <div className="kpi" data-kpi={id} data-value={value}>
      <div className="kpi-label">{t(label)}</div>
      <div className="kpi-value">{display}</div>
      <div className={`kpi-delta ${dir}`}>
        {arrow && <span aria-hidden="true">{arrow} </span>}
        <span>{delta}</span>
        {dir !== 'none' && <span className="muted"> {t('kpi.vsPrev')}</span>}
      </div>
    </div>
  );
}
