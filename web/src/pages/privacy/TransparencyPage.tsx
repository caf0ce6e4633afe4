import { useState } from 'react';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { useApi } from '../../useApi.ts';

interface TagExplanation {
  code: string;
  name_zh: string;
  name_en: string;
  kind: string;
  purpose: string;
  description: string;
  reads: { tags: string[]; traits: string[] };
  sensitiveInputs: string[];
}
interface Finding { kind: 'tag' | 'campaign'; id: string; name: string; context: string; attributes: string[] }
interface PolicyAnswer { policy: { tagPurposes: { marketing?: string[] }; campaignAudiences: string[] }; violations: Finding[]; checked: { tags: number; campaigns: number } }
interface CampaignExposure { campaigns: { id: string; name: string; treated: number; groups: { group: string; population: number; reached: number; ratio: number | null }[] }[] }
interface RecExposure { groups: { group: string; people: number; personalised: number; meanPrice: number | null; topCategories: { category: string; share: number }[] }[] }

const BY = ['city_tier', 'gender', 'age_band'] as const;
const MODELS = ['churn', 'recommend', 'cluster', 'lookalike', 'sentiment'] as const;

/** /transparency: what every tag and model reads, the fairness policy check, and reach across groups. */
export function TransparencyPage() {
  const { t, lang, fmt } = useI18n();
  const [by, setBy] = useState<(typeof BY)[number]>('city_tier');
  const tags = useApi<{ tags: TagExplanation[] }>('/api/v1/transparency/tags');
  const policy = useApi<PolicyAnswer>('/api/v1/transparency/policy');
  const campaigns = useApi<CampaignExposure>('/api/v1/transparency/exposure/campaigns', { by });
  const recs = useApi<RecExposure>('/api/v1/transparency/exposure/recommendations', { by, perGroup: 30 });

  return (
    <section className="page transparency-page">
      <header className="page-head">
        <div>
          <h1>{t('tr.title')}</h1>
          <p className="muted">{t('tr.tagline')}</p>
        </div>
      </header>

      <div className="card" data-testid="fairness-policy">
        <h2>{t('tr.policy')}</h2>
        {policy.status === 'error' ? <ErrorBox message={policy.error.message} onRetry={policy.reload} /> : !policy.data ? <Loading /> : (
          <>
            <p className="muted">{t('tr.policy.rule', { tags: (policy.data.policy.tagPurposes.marketing ?? []).join(', '), campaigns: policy.data.policy.campaignAudiences.join(', ') })}</p>
            {policy.data.violations.length === 0 ? (
              <p className="state ok">{t('tr.policy.ok', { tags: policy.data.checked.tags, campaigns: policy.data.checked.campaigns })}</p>
            ) : (
              <table className="table compact" data-testid="fairness-violations">
                <thead><tr><th>{t('tr.col.kind')}</th><th>{t('tr.col.name')}</th><th>{t('tr.col.context')}</th><th>{t('tr.col.attributes')}</th></tr></thead>
                <tbody>
                  {policy.data.violations.map((v) => (
                    <tr key={`${v.kind}:${v.id}`}>
                      <td>{t(`tr.policy.kind.${v.kind}` as MessageKey)}</td>
                      <td>{v.name} <span className="muted">{v.id}</span></td>
                      <td>{v.context}</td>
                      <td>{v.attributes.join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </div>

      <div className="card">
        <h2>{t('tr.models')}</h2>
        <ul>{MODELS.map((m) => <li key={m}>{t(`tr.model.${m}` as MessageKey)}</li>)}</ul>
      </div>

      <div className="card">
        <h2>{t('tr.exposure')}</h2>
        <label className="field">
          {t('tr.by')}
          <select value={by} onChange={(e) => setBy(e.target.value as (typeof BY)[number])} data-testid="exposure-by">
            {BY.map((b) => <option key={b} value={b}>{t(`tr.by.${b}` as MessageKey)}</option>)}
          </select>
        </label>
        <h3>{t('tr.exposure.campaigns')}</h3>
        {campaigns.status === 'error' ? <ErrorBox message={campaigns.error.message} onRetry={campaigns.reload} /> : !campaigns.data ? <Loading /> : campaigns.data.campaigns.length === 0 ? (
          <p className="muted">{t('tr.exposure.campaigns.none')}</p>
        ) : campaigns.data.campaigns.map((c) => (
          <div key={c.id} className="table-wrap">
            <h4>{c.name} <span className="muted">({fmt.number(c.treated)})</span></h4>
            <table className="table compact">
              <thead><tr><th>{t('tr.col.group')}</th><th>{t('tr.col.population')}</th><th>{t('tr.col.reached')}</th><th>{t('tr.col.ratio')}</th></tr></thead>
              <tbody>
                {c.groups.map((g) => (
                  <tr key={g.group}><td>{g.group}</td><td>{fmt.percent(g.population)}</td><td>{fmt.percent(g.reached)}</td><td>{g.ratio === null ? '—' : fmt.decimal(g.ratio, 2)}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
        <h3>{t('tr.exposure.recs')}</h3>
        {recs.status === 'error' ? <ErrorBox message={recs.error.message} onRetry={recs.reload} /> : !recs.data ? <Loading /> : (
          <table className="table compact" data-testid="exposure-recs">
            <thead><tr><th>{t('tr.col.group')}</th><th>{t('tr.col.people')}</th><th>{t('tr.col.personalised')}</th><th>{t('tr.col.price')}</th><th>{t('tr.col.categories')}</th></tr></thead>
            <tbody>
              {recs.data.groups.map((g) => (
                <tr key={g.group}>
                  <td>{g.group}</td><td>{g.people}</td><td>{fmt.percent(g.personalised)}</td>
                  <td>{g.meanPrice === null ? '—' : fmt.money(g.meanPrice, 'CNY')}</td>
                  <td>{g.topCategories.map((c) => `${c.category} ${fmt.percent(c.share, 0)}`).join(' · ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      <div className="card">
        <h2>{t('tr.tags')}</h2>
        {tags.status === 'error' ? <ErrorBox message={tags.error.message} onRetry={tags.reload} /> : !tags.data ? <Loading /> : (
          <div className="table-wrap">
            <table className="table compact" data-testid="transparency-tags">
              <thead><tr><th>{t('tr.col.code')}</th><th>{t('tr.col.name')}</th><th>{t('tr.col.tagKind')}</th><th>{t('tr.col.purpose')}</th><th>{t('tr.col.description')}</th><th>{t('tr.col.reads')}</th><th>{t('tr.col.attributes')}</th></tr></thead>
              <tbody>
                {tags.data.tags.map((x) => (
                  <tr key={x.code} data-tag={x.code}>
                    <td><code>{x.code}</code></td>
                    <td>{lang === 'zh-CN' ? x.name_zh : x.name_en}</td>
                    <td>{x.kind}</td>
                    <td>{x.purpose}</td>
                    <td>{x.description}</td>
                    <td>{[...x.reads.tags, ...x.reads.traits.map((tr) => `traits.${tr}`)].join(', ') || t('tr.none')}</td>
                    <td>{x.sensitiveInputs.join(', ') || t('tr.none')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}
