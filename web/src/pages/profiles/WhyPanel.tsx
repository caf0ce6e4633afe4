import { Drawer } from '../../components/Drawer.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { TagValue } from '../../components/TagValue.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { tagName } from '../../tagText.ts';
import type { ProfileTag, TagWhy } from '../../types.ts';
import { useApi } from '../../useApi.ts';

/** Why a person has a tag's value: the rule as text, the numbers it used, and the value recomputed now. */
export function WhyPanel({ userId, tag, onClose }: { userId: string; tag: ProfileTag; onClose(): void }) {
  const { t, lang, fmt } = useI18n();
  const why = useApi<TagWhy>(`/api/v1/profiles/${encodeURIComponent(userId)}/tags/${encodeURIComponent(tag.code)}/why`);
  const w = why.data;
  const differs = w && JSON.stringify(w.value) !== JSON.stringify(w.computedValue);
  return (
    <Drawer title={t('profile.whyOf', { tag: tagName(tag, lang) })} onClose={onClose} testId="why-panel">
      {why.status === 'loading' && <Loading />}
      {why.status === 'error' && <ErrorBox message={why.error.message} onRetry={why.reload} />}
      {w && (
        <div className="why" data-code={w.code}>
          <dl className="facts">
            <dt>{t('tags.code')}</dt>
            <dd className="mono">{w.code}</dd>
            <dt>{t('why.value')}</dt>
            <dd data-testid="why-value">
              <TagValue tag={tag} value={w.value} />
            </dd>
            <dt>{t('why.computed')}</dt>
            <dd data-testid="why-computed">
              <TagValue tag={tag} value={w.computedValue} />
            </dd>
            {w.asOf && (
              <>
                <dt>{t('why.asOf')}</dt>
                <dd>{fmt.dateTime(w.asOf)}</dd>
              </>
            )}
          </dl>
          {differs && <p className="notice small">{t('why.differs')}</p>}
          <h3>{t('why.rule')}</h3>
          <p className="rule-text" data-testid="why-rule">
            {lang === 'en' ? w.rule_en : w.rule_zh}
          </p>
          <h3>{t('why.evidence')}</h3>
          {w.evidence.length ? (
            <table className="table evidence" data-testid="why-evidence">
              <tbody>
                {w.evidence.map((e) => (
                  <tr key={e.name} data-evidence={e.name} data-value={typeof e.value === 'object' ? JSON.stringify(e.value) : String(e.value)}>
                    <td>{lang === 'en' ? e.label_en : e.label_zh}</td>
                    <td className="num">{evidence(e.value, fmt.decimal, t)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">{t('why.noEvidence')}</p>
          )}
          <details className="spec-json">
            <summary>{t('why.spec')}</summary>
            <pre className="code">{JSON.stringify(w.spec, null, 2)}</pre>
          </details>
        </div>
      )}
    </Drawer>
  );
}

function evidence(v: unknown, decimal: (n: number, d?: number) => string, t: (k: 'value.true' | 'value.false' | 'value.none') => string): string {
  if (v === null || v === undefined) return t('value.none');
  if (typeof v === 'number') return decimal(v);
  if (typeof v === 'boolean') return t(v ? 'value.true' : 'value.false');
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'number' ? decimal(x) : String(x))).join(', ');
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}: ${typeof x === 'number' ? decimal(x, 3) : String(x)}`)
      .join(' · ');
  }
  return String(v);
}
