import { useEffect, useState } from 'react';
import { apiSend } from '../../api.ts';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import { isNotFound, useApi } from '../../useApi.ts';
import { REFRESH_MS } from './CampaignDetail.tsx';
import { durationText, entryText, JourneyCanvas } from './JourneyCanvas.tsx';
import type { Entry, Journey, JourneyTemplate } from './types.ts';

const open = (id: string) => navigate(`/campaigns/journeys/${encodeURIComponent(id)}`);

function JourneyStatus({ status }: { status: Journey['status'] }) {
  const { t } = useI18n();
  return <span className={`cmp-status st-${status === 'active' ? 'running' : status}`} data-status={status}>{t(`cmp.j.status.${status}` as MessageKey)}</span>;
}

/** Activate / pause (POST /api/v1/journeys/:id/{activate|pause}); a refusal shows the server's message. */
function JourneyActions({ journey, onChanged }: { journey: Journey; onChanged(): void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = journey.status === 'active' ? 'pause' : 'activate';
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await apiSend('POST', `/api/v1/journeys/${encodeURIComponent(journey.id)}/${act}`, {});
      onChanged();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="cmp-actions" onClick={(e) => e.stopPropagation()}>
      <button type="button" className={`btn small${act === 'activate' ? ' primary' : ''}`} disabled={busy} onClick={() => void run()} data-action={act}>
        {t(`cmp.j.${act}` as MessageKey)}
      </button>
      {error && <span className="form-error small" role="alert">{error}</span>}
    </span>
  );
}

/** /campaigns/journeys: the templates (each drawn, and made into a journey by a click) and the journeys made. */
export function JourneysView() {
  const { t, fmt, lang } = useI18n();
  const templates = useApi<{ templates: JourneyTemplate[] }>('/api/v1/journeys/templates');
  const journeys = useApi<{ journeys: Journey[] }>('/api/v1/journeys');
  const [shown, setShown] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = async (tpl: JourneyTemplate) => {
    setBusy(tpl.id);
    setError(null);
    try {
      let journey = tpl.journey;
      if (tpl.segment) {
        // a journey that starts on a segment: make the segment the template names, then point the entry at it
        const seg = await apiSend<{ id: string }>('POST', '/api/v1/segments', { name: lang === 'en' ? tpl.segment.name_en : tpl.segment.name_zh, kind: 'dynamic', rule: tpl.segment.rule });
        journey = { ...journey, entry: { kind: 'segment', segmentId: seg.id } };
      }
      const j = await apiSend<Journey>('POST', '/api/v1/journeys', journey);
      open(j.id);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(null);
    }
  };
  return (
    <div className="cmp-journeys">
      <div className="card" data-testid="journey-list">
        <h2>{t('cmp.j.mine')}</h2>
        {journeys.status === 'error' && <ErrorBox message={journeys.error.message} onRetry={journeys.reload} />}
        {!journeys.data && journeys.status !== 'error' && <Loading />}
        {journeys.data && journeys.data.journeys.length === 0 && <p className="muted">{t('cmp.j.none')}</p>}
        {journeys.data && journeys.data.journeys.length > 0 && (
          <table className="table clickable">
            <thead>
              <tr>
                <th>{t('cmp.f.name')}</th>
                <th>{t('cmp.f.status')}</th>
                <th className="num">{t('cmp.j.steps')}</th>
                <th className="num">{t('cmp.j.people.waiting')}</th>
                <th className="num">{t('cmp.j.people.done')}</th>
                <th>{t('cmp.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {journeys.data.journeys.map((j) => (
                <tr key={j.id} data-journey={j.id} onClick={() => open(j.id)}>
                  <td>
                    <a href={`/campaigns/journeys/${encodeURIComponent(j.id)}`} className="seg-name" onClick={(e) => (e.preventDefault(), e.stopPropagation(), open(j.id))}>
                      {j.name}
                    </a>
                    <div className="muted small mono">{j.id}</div>
                  </td>
                  <td><JourneyStatus status={j.status} /></td>
                  <td className="num">{j.steps.length}</td>
                  <td className="num">{j.people ? fmt.number(j.people.waiting) : '—'}</td>
                  <td className="num">{j.people ? fmt.number(j.people.done + j.people.exited) : '—'}</td>
                  <td><JourneyActions journey={j} onChanged={journeys.reload} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div className="card" data-testid="journey-templates">
        <h2>{t('cmp.j.templates')}</h2>
        <p className="muted small">{t('cmp.j.templatesHint')}</p>
        {error && <div className="form-error" role="alert">{error}</div>}
        {templates.status === 'error' && <ErrorBox message={templates.error.message} onRetry={templates.reload} />}
        {!templates.data && templates.status !== 'error' && <Loading />}
        {templates.data && templates.data.templates.length === 0 && <p className="muted">{t('cmp.j.noTemplates')}</p>}
        <div className="cmp-templates">
          {templates.data?.templates.map((tpl) => (
            <div key={tpl.id} className="cmp-template" data-template={tpl.id}>
              <div className="card-head">
                <h3>{lang === 'en' ? tpl.name_en : tpl.name_zh}</h3>
                <div className="card-actions">
                  <button type="button" className="btn small" onClick={() => setShown(shown === tpl.id ? null : tpl.id)} aria-expanded={shown === tpl.id}>
                    {t(shown === tpl.id ? 'cmp.j.hideFlow' : 'cmp.j.showFlow')}
                  </button>
                  <button type="button" className="btn small primary" disabled={busy !== null} onClick={() => void create(tpl)} data-action="create">
                    {t('cmp.j.create')}
                  </button>
                </div>
              </div>
              <p className="muted small">{lang === 'en' ? tpl.description_en : tpl.description_zh}</p>
              <p className="muted small">
                {t('cmp.j.stepCount', { n: tpl.journey.steps.length })} · {entryText(tpl.journey.entry as Entry, t, tpl.segment ? (lang === 'en' ? tpl.segment.name_en : tpl.segment.name_zh) : undefined)}
                {tpl.segment ? ` · ${t('cmp.j.makesSegment')}` : ''}
              </p>
              {shown === tpl.id && <JourneyCanvas journey={tpl.journey as Pick<Journey, 'steps' | 'start' | 'entry'>} segmentName={tpl.segment ? (lang === 'en' ? tpl.segment.name_en : tpl.segment.name_zh) : undefined} />}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}

/** /campaigns/journeys/:id — the journey's flow with live per-step counts, and activate/pause. */
export function JourneyDetail({ id }: { id: string }) {
  const { t, fmt } = useI18n();
  const j = useApi<Journey>(`/api/v1/journeys/${encodeURIComponent(id)}`);
  const segId = j.data?.entry.kind === 'segment' ? j.data.entry.segmentId : null;
  const seg = useApi<{ name: string }>(segId ? `/api/v1/segments/${encodeURIComponent(segId)}` : null);
  useEffect(() => {
    const timer = setInterval(() => j.reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [j.reload]);
  if (j.status === 'error' && !j.data) return isNotFound(j.error) ? <div className="notice">{t('cmp.j.notFound', { id })}</div> : <ErrorBox message={j.error.message} onRetry={j.reload} />;
  if (!j.data) return <Loading />;
  const d = j.data;
  const entered = d.stats ? Math.max(0, ...Object.values(d.stats).map((s) => s.entered)) : 0;
  const reentry = d.reentry.policy === 'cooldown' ? t('cmp.j.reentry.cooldown', { d: durationText(d.reentry.cooldown, t) }) : t(`cmp.j.reentry.${d.reentry.policy}` as MessageKey);
  return (
    <div className="card" data-testid="journey-detail" data-journey={d.id} data-status={d.status}>
      <div className="detail-head">
        <div>
          <h2 className="detail-title">{d.name}</h2>
          <div className="badges">
            <JourneyStatus status={d.status} />
            <span className="muted small mono">{d.id}</span>
          </div>
        </div>
        <JourneyActions journey={d} onChanged={j.reload} />
      </div>
      {d.description && <p className="muted">{d.description}</p>}
      <dl className="facts cmp-facts">
        <div className="fact"><dt>{t('cmp.j.kind.entry')}</dt><dd>{entryText(d.entry, t, seg.data?.name)}</dd></div>
        <div className="fact"><dt>{t('cmp.j.exitOn')}</dt><dd>{d.exitOn.length ? d.exitOn.map((e) => e.event).join(', ') : '—'}</dd></div>
        <div className="fact"><dt>{t('cmp.j.reentry')}</dt><dd>{reentry}</dd></div>
        <div className="fact"><dt>{t('cmp.arm.control')}</dt><dd>{fmt.percent(d.holdout, 0)}</dd></div>
        {d.people && (
          <div className="fact"><dt>{t('cmp.j.people')}</dt><dd data-testid="journey-people">{(['waiting', 'done', 'exited', 'control'] as const).map((k) => `${t(`cmp.j.people.${k}` as MessageKey)} ${fmt.number(d.people![k])}`).join(' · ')}</dd></div>
        )}
      </dl>
      <p className="muted small">{t('cmp.j.legend', { s: REFRESH_MS / 1000 })}</p>
      {entered === 0 && <p className="muted small">{t('cmp.j.noStats')}</p>}
      <JourneyCanvas journey={d} stats={d.stats} segmentName={seg.data?.name} />
    </div>
  );
}
