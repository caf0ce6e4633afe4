import { useState } from 'react';
import { apiSend } from '../../api.ts';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import type { Segment } from '../../types.ts';
import { AudienceStep } from './AudienceStep.tsx';
import { ContentEditor } from './ContentEditor.tsx';
import { audienceOf, draftOf, emptyDraft, GOAL_EVENTS, problems, toInput, type Draft } from './draft.ts';
import { DeliveryStep, ExperimentStep } from './SettingsSteps.tsx';
import { MessagePreview } from './MessagePreview.tsx';
import { WizardSummary } from './WizardSummary.tsx';
import type { Campaign } from './types.ts';
import { useDebouncedPost } from './useDebouncedPost.ts';

const STEPS = ['audience', 'goal', 'content', 'delivery', 'experiment', 'review'] as const;
type Step = (typeof STEPS)[number];

/**
 * /campaigns/new: audience (with a live count), goal, content per variant (with a live preview), channel and
 * schedule, experiment and budget, then a review; saved as a draft, or saved and scheduled / started.
 * /campaigns/<id>/edit: the same steps over a campaign that is still draft, scheduled or paused, saved with
 * PATCH (a draft can be launched from the review as well).
 */
export function CampaignWizard({ segments, from, edit }: { segments: Segment[]; from?: Campaign; edit?: Campaign }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<Draft>(() => (edit ? draftOf(edit, edit.name) : from ? draftOf(from, t('cmp.copyName', { name: from.name })) : emptyDraft()));
  const [step, setStep] = useState<Step>('audience');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ msg: string; saved?: Campaign } | null>(null);
  const set = (p: Partial<Draft>) => setDraft((d) => ({ ...d, ...p }));
  const audience = audienceOf(draft);
  const count = useDebouncedPost<{ count: number; unknown?: number }>('/api/v1/campaigns/audience/count', audience ? { audience } : null);
  const issues = problems(draft);
  const nameMissing = !draft.name.trim();
  const ownerMissing = !draft.owner.trim();
  const blocking = Object.values(issues).some((x) => x.length) || nameMissing || ownerMissing;
  const i = STEPS.indexOf(step);

  const save = async (launch: boolean) => {
    setBusy(true);
    setError(null);
    let saved: Campaign | undefined;
    try {
      saved = edit
        ? await apiSend<Campaign>('PATCH', `/api/v1/campaigns/${encodeURIComponent(edit.id)}`, toInput(draft))
        : await apiSend<Campaign>('POST', '/api/v1/campaigns', toInput(draft));
      if (launch) await apiSend<Campaign>('POST', `/api/v1/campaigns/${encodeURIComponent(saved.id)}/${draft.scheduleKind === 'now' ? 'start' : 'schedule'}`, {});
      navigate(`/campaigns/${encodeURIComponent(saved.id)}`);
    } catch (e) {
      setError({ msg: e instanceof Error ? e.message : String(e), saved });
      setBusy(false);
    }
  };

  return (
    <div className="form-layout cmp-wizard" data-testid="campaign-wizard">
      <div className="card cmp-wizard-main">
        {from && (
          <div className="notice small" data-testid="copied-from">
            {t('cmp.copiedFrom', { name: from.name })}
          </div>
        )}
        {edit && (
          <div className="notice small" data-testid="editing">
            {t('cmp.editing', { name: edit.name })}
          </div>
        )}
        <div className="cmp-name">
          <label className="field">
            {t('cmp.f.name')}
            <input name="name" value={draft.name} placeholder={t('cmp.f.namePlaceholder')} onChange={(e) => set({ name: e.target.value })} className={nameMissing && step === 'review' ? 'invalid' : ''} />
          </label>
          <label className="field">
            {t('cmp.f.owner')}
            <input name="owner" value={draft.owner} placeholder={t('cmp.f.ownerPlaceholder')} onChange={(e) => set({ owner: e.target.value })} className={ownerMissing && step === 'review' ? 'invalid' : ''} />
          </label>
        </div>
        <ol className="cmp-steps" aria-label={t('cmp.wizard.steps')}>
          {STEPS.map((s, n) => {
            const bad = s !== 'review' && issues[s].length > 0;
            return (
              <li key={s}>
                <button type="button" data-step={s} className={`${s === step ? 'current' : ''}${bad ? ' todo' : ' done'}`} aria-current={s === step ? 'step' : undefined} onClick={() => setStep(s)}>
                  <span className="step-no">{n + 1}</span> {t(`cmp.step.${s}` as MessageKey)}
                </button>
              </li>
            );
          })}
        </ol>
        <h2>{t(`cmp.step.${step}` as MessageKey)}</h2>
        {step === 'audience' && <AudienceStep draft={draft} set={set} segments={segments} />}
        {step === 'goal' && <GoalStep draft={draft} set={set} />}
        {step === 'content' && <ContentEditor draft={draft} set={set} />}
        {step === 'delivery' && <DeliveryStep draft={draft} set={set} />}
        {step === 'experiment' && <ExperimentStep draft={draft} set={set} />}
        {step === 'review' && <Review draft={draft} segments={segments} />}
        {step !== 'review' && issues[step].length > 0 && (
          <ul className="cmp-issues" data-testid="step-issues">
            {issues[step].map((x) => (
              <li key={x}>{t(`cmp.issue.${x}` as MessageKey)}</li>
            ))}
          </ul>
        )}
        {error && (
          <div className="form-error" role="alert" data-testid="save-error">
            {error.saved ? t('cmp.wizard.savedNotStarted', { msg: error.msg }) : t('cmp.wizard.saveFailed', { msg: error.msg })}
            {error.saved && (
              <>
                {' '}
                <a href={`/campaigns/${error.saved.id}`} onClick={(e) => (e.preventDefault(), navigate(`/campaigns/${encodeURIComponent(error.saved!.id)}`))}>
                  {t('cmp.wizard.openDraft')}
                </a>
              </>
            )}
          </div>
        )}
        <div className="cmp-wizard-nav">
          <button type="button" className="btn" disabled={i === 0} onClick={() => setStep(STEPS[i - 1]!)} data-testid="wizard-back">
            ← {t('cmp.wizard.back')}
          </button>
          <span className="cmp-spacer" />
          <button type="button" className="btn" disabled={busy || nameMissing || ownerMissing} onClick={() => void save(false)} data-testid="save-draft">
            {t(edit ? 'cmp.wizard.saveChanges' : 'cmp.wizard.saveDraft')}
          </button>
          {step === 'review' ? (
            edit && edit.status !== 'draft' ? null : (
            <button type="button" className="btn primary" disabled={busy || blocking} onClick={() => void save(true)} data-testid="launch">
              {t(draft.scheduleKind === 'now' ? 'cmp.wizard.startNow' : 'cmp.wizard.schedule')}
            </button>
            )
          ) : (
            <button type="button" className="btn primary" onClick={() => setStep(STEPS[i + 1]!)} data-testid="wizard-next">
              {t('cmp.wizard.next')} →
            </button>
          )}
        </div>
      </div>
      <div className="cmp-side">
        <WizardSummary draft={draft} count={count} />
        {step === 'content' && <MessagePreview draft={draft} />}
      </div>
    </div>
  );
}

function GoalStep({ draft, set }: { draft: Draft; set(p: Partial<Draft>): void }) {
  const { t } = useI18n();
  return (
    <div className="cmp-step" data-testid="step-goal">
      <p className="muted small">{t('cmp.goal.hint')}</p>
      <div className="form-grid">
        <label className="field">
          {t('cmp.goal.event')}
          <input name="goalEvent" list="cmp-goal-events" value={draft.goalEvent} onChange={(e) => set({ goalEvent: e.target.value })} />
          <datalist id="cmp-goal-events">
            {GOAL_EVENTS.map((e) => (
              <option key={e} value={e} />
            ))}
          </datalist>
        </label>
        <label className="field">
          {t('cmp.goal.window')}
          <input name="windowDays" type="number" min={1} max={90} step={1} value={draft.windowDays} onChange={(e) => set({ windowDays: e.target.value })} />
        </label>
        <label className="field">
          {t('cmp.goal.category')}
          <input name="category" value={draft.category} placeholder={t('cmp.goal.anyCategory')} onChange={(e) => set({ category: e.target.value })} />
        </label>
      </div>
    </div>
  );
}

function Review({ draft, segments }: { draft: Draft; segments: Segment[] }) {
  const { t } = useI18n();
  const input = toInput(draft);
  const seg = segments.find((s) => s.id === draft.segmentId);
  return (
    <div className="cmp-step" data-testid="step-review">
      <dl className="facts">
        <div className="fact"><dt>{t('cmp.f.name')}</dt><dd>{draft.name || '—'}</dd></div>
        <div className="fact"><dt>{t('cmp.f.owner')}</dt><dd>{draft.owner || '—'}</dd></div>
        <div className="fact"><dt>{t('cmp.step.audience')}</dt><dd><AudienceText audience={input.audience} segmentName={seg?.name} /></dd></div>
        <div className="fact"><dt>{t('cmp.step.goal')}</dt><dd>{t('cmp.goal.text', { event: input.goal.event, days: input.goal.windowDays })}{input.goal.category ? ` · ${input.goal.category}` : ''}</dd></div>
        <div className="fact"><dt>{t('cmp.f.channel')}</dt><dd>{t(`cmp.channel.${draft.channel}` as MessageKey)}</dd></div>
        <div className="fact"><dt>{t('cmp.f.schedule')}</dt><dd><ScheduleText schedule={input.schedule} /></dd></div>
        <div className="fact"><dt>{t('cmp.f.variants')}</dt><dd>{input.variants.map((v) => `${v.name} (${v.weight})`).join(' · ')}</dd></div>
        <div className="fact"><dt>{t('cmp.exp.holdout')}</dt><dd>{draft.holdout}%</dd></div>
      </dl>
      <details className="spec-json">
        <summary>{t('cmp.review.json')}</summary>
        <pre className="code" data-testid="campaign-json">{JSON.stringify(input, null, 2)}</pre>
      </details>
    </div>
  );
}

/** An audience in words. */
export function AudienceText({ audience, segmentName }: { audience: Campaign['audience']; segmentName?: string }) {
  const { t, fmt } = useI18n();
  if (audience.kind === 'segment') return <>{t('cmp.aud.text.segment', { name: segmentName ?? audience.segmentId })}</>;
  if (audience.kind === 'lookalike') return <>{t('cmp.aud.text.lookalike', { name: segmentName ?? audience.segmentId, n: fmt.number(audience.size) })}</>;
  return <>{t('cmp.aud.text.list', { n: fmt.number(audience.userIds.length) })}</>;
}

/** A schedule in words. */
export function ScheduleText({ schedule }: { schedule: Campaign['schedule'] }) {
  const { t, fmt } = useI18n();
  if (schedule.kind === 'now') return <>{t('cmp.sched.now')}</>;
  if (schedule.kind === 'at') return <>{t('cmp.sched.atText', { at: Number.isNaN(Date.parse(schedule.at)) ? schedule.at : fmt.dateTime(schedule.at) })}</>;
  const day = schedule.every === 'week' ? t(`cmp.weekday.${schedule.weekday ?? 1}` as MessageKey) : t('cmp.sched.daily');
  return <>{t('cmp.sched.recurringText', { day, at: schedule.at })}{schedule.until ? ` · ${t('cmp.sched.untilText', { until: schedule.until })}` : ''}</>;
}
