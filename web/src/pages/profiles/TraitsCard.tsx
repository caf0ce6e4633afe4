import { useI18n } from '../../i18n/index.tsx';

/** Traits from identify calls, as the API gives them (personal data arrives masked). */
export function TraitsCard({ traits }: { traits: Record<string, unknown> }) {
  const { t } = useI18n();
  const entries = Object.entries(traits);
  return (
    <div className="card">
      <h2>{t('profile.traits')}</h2>
      {entries.length ? (
        <dl className="facts" data-testid="traits">
          {entries.map(([k, v]) => (
            <div key={k} className="fact" data-trait={k}>
              <dt>{k}</dt>
              <dd>{show(v, t)}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="muted">{t('profile.noTraits')}</p>
      )}
    </div>
  );
}

function show(v: unknown, t: (k: 'value.true' | 'value.false') => string): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return t(v ? 'value.true' : 'value.false');
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
  if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${typeof x === 'boolean' ? t(x ? 'value.true' : 'value.false') : typeof x === 'object' ? JSON.stringify(x) : String(x)}`).join(' · ');
  return String(v);
}
