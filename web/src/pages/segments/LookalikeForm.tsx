import { useState, type FormEvent } from 'react';
import { apiGet, apiSend } from '../../api.ts';
import { useI18n } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import type { LookalikeResult, Segment } from '../../types.ts';

const MAX_SEEDS = 100_000;

/**
 * Lookalikes (docs/segments-ml.md): a saved segment's members are the seeds; a logistic model scores
 * everyone else who consented to personalisation, and the top N can be saved as a static segment.
 */
export function LookalikeForm({ segments }: { segments: Segment[] }) {
  const { t, fmt, lang } = useI18n();
  const [seed, setSeed] = useState(segments[0]?.id ?? '');
  const [top, setTop] = useState('100');
  const [busy, setBusy] = useState<null | 'run' | 'save'>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ seed: Segment; top: number; data: LookalikeResult } | null>(null);
  const [name, setName] = useState('');

  async function find(e: FormEvent) {
    e.preventDefault();
    const s = segments.find((x) => x.id === seed);
    if (!s) return;
    setBusy('run');
    setError(null);
    setResult(null);
    try {
      // the lookalike API takes at most 100,000 seed ids
      const members = await apiGet<{ userIds: string[] }>(`/api/v1/segments/${encodeURIComponent(s.id)}/members`, { format: 'json', limit: MAX_SEEDS });
      if (members.userIds.length === 0) throw new Error(t('seg.la.emptySeed'));
      const n = Number(top);
      const data = await apiSend<LookalikeResult>('POST', '/api/v1/segments/lookalike', { seedIds: members.userIds, top: n });
      setResult({ seed: s, top: n, data });
      setName(t('seg.la.defaultName', { seed: s.name, n }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  }

  async function save() {
    if (!result) return;
    setBusy('save');
    setError(null);
    try {
      const ids = result.data.selected.map((x) => x.userId);
      const s = await apiSend<Segment>('POST', '/api/v1/segments', {
        name: name.trim(),
        description: t('seg.la.description', { seed: result.seed.name, id: result.seed.id, n: ids.length }),
        kind: 'static',
        ids,
      });
      navigate(`/segments/${encodeURIComponent(s.id)}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  }

  if (!segments.length) return <div className="notice">{t('seg.la.noSeeds')}</div>;
  const d = result?.data;
  const maxWeight = d ? Math.max(1e-9, ...d.features.map((f) => Math.abs(f.weight))) : 1;
  const maxScore = d ? Math.max(1e-9, ...d.selected.map((x) => x.score)) : 1;
  return (
    <div className="lookalike" data-testid="lookalike">
      <form className="card" onSubmit={find}>
        <h2>{t('seg.la.title')}</h2>
        <p className="muted small">{t('seg.la.hint')}</p>
        <div className="cluster-form">
          <label className="inline-field">
            <span>{t('seg.la.seed')}</span>
            <select name="seed" value={seed} onChange={(e) => setSeed(e.target.value)}>
              {segments.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({fmt.number(s.size)})
                </option>
              ))}
            </select>
          </label>
          <label className="inline-field">
            <span>{t('seg.la.top')}</span>
            <input name="top" type="number" min={1} max={10000} className="narrow" value={top} onChange={(e) => setTop(e.target.value)} />
          </label>
          <button type="submit" className="btn primary" disabled={busy !== null || !seed || !(Number(top) >= 1)} data-testid="run-lookalike">
            {busy === 'run' ? t('seg.la.running') : t('seg.la.run')}
          </button>
        </div>
        {error && (
          <div className="form-error" role="alert" data-testid="lookalike-error">
            {error}
          </div>
        )}
      </form>
      {d && result && (
        <div className="grid-2">
          <div className="card">
            <h2>{t('seg.la.selected')}</h2>
            <p className="muted small" data-testid="lookalike-summary" data-seeds={d.seeds} data-ignored={d.seedsIgnored} data-scored={d.scored}>
              {t('seg.la.summary', { seeds: fmt.number(d.seeds), ignored: fmt.number(d.seedsIgnored), scored: fmt.number(d.scored) })}
            </p>
            {d.selected.length === 0 ? (
              <p className="empty">{t('seg.la.empty')}</p>
            ) : (
              <>
                <div className="table-wrap scroll-box">
                  <table className="table compact" data-testid="lookalike-selected">
                    <thead>
                      <tr>
                        <th>#</th>
                        <th>{t('col.userId')}</th>
                        <th className="share-col">{t('seg.la.score')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.selected.map((x, i) => (
                        <tr key={x.userId} data-user={x.userId} data-score={x.score}>
                          <td className="muted">{i + 1}</td>
                          <td className="mono">
                            <a
                              href={`/profiles/${encodeURIComponent(x.userId)}`}
                              onClick={(e) => {
                                e.preventDefault();
                                navigate(`/profiles/${encodeURIComponent(x.userId)}`);
                              }}
                            >
                              {x.userId}
                            </a>
                          </td>
                          <td>
                            <div className="share">
                              <div className="share-bar" style={{ width: `${(80 * x.score) / maxScore}%` }} />
                              <span>{fmt.decimal(x.score, 3)}</span>
                            </div>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <div className="save-row">
                  <label className="field">
                    <span>{t('seg.la.saveName')}</span>
                    <input name="lookalikeName" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
                  </label>
                  <button type="button" className="btn primary" onClick={save} disabled={busy !== null || !name.trim()} data-testid="save-lookalike">
                    {busy === 'save' ? t('form.saving') : t('seg.la.save', { n: d.selected.length })}
                  </button>
                </div>
              </>
            )}
          </div>
          <div className="card">
            <h2>{t('seg.la.features')}</h2>
            <ul className="bars weights">
              {d.features.map((f) => (
                <li key={f.feature} data-feature={f.feature}>
                  <span className="bar-label">{lang === 'en' ? f.label_en : f.label_zh}</span>
                  <span className="bar-track">
                    <span className={`bar-fill ${f.weight < 0 ? 'neg' : ''}`} style={{ width: `${(100 * Math.abs(f.weight)) / maxWeight}%` }} />
                  </span>
                  <span className="bar-value">{`${f.weight > 0 ? '+' : ''}${fmt.decimal(f.weight, 2)}`}</span>
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
    </div>
  );
}
