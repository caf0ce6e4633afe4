import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import type { Segment } from '../../types.ts';
import { parseIds, type AudienceKind, type Draft } from './draft.ts';

const KINDS: AudienceKind[] = ['segment', 'lookalike', 'list'];

/** Step 1: a saved segment, a lookalike of one with a size, or a pasted / uploaded list of user ids. */
export function AudienceStep({ draft, set, segments }: { draft: Draft; set(p: Partial<Draft>): void; segments: Segment[] }) {
  const { t, fmt } = useI18n();
  const ids = draft.audienceKind === 'list' ? parseIds(draft.listText) : [];
  const readFile = async (file: File | undefined) => {
    if (!file) return;
    const text = await file.text();
    // a CSV with a header row: drop the header when it names the column
    set({ listText: text.replace(/^\s*(user_?id|userid)\s*\n/i, '') });
  };
  return (
    <div className="cmp-step" data-testid="step-audience">
      <div className="segmented" role="group" aria-label={t('cmp.aud.kind')}>
        {KINDS.map((k) => (
          <button key={k} type="button" className={draft.audienceKind === k ? 'active' : ''} data-audience-kind={k} aria-pressed={draft.audienceKind === k} onClick={() => set({ audienceKind: k })}>
            {t(`cmp.aud.kind.${k}` as MessageKey)}
          </button>
        ))}
      </div>
      <p className="muted small">{t(`cmp.aud.hint.${draft.audienceKind}` as MessageKey)}</p>
      {draft.audienceKind !== 'list' && (
        <div className="form-grid">
          <label className="field">
            {t(draft.audienceKind === 'lookalike' ? 'cmp.aud.seed' : 'cmp.aud.segment')}
            <select name="segmentId" value={draft.segmentId} onChange={(e) => set({ segmentId: e.target.value })} className={draft.segmentId ? '' : 'placeholder'}>
              <option value="">{t('cmp.aud.pick')}</option>
              {segments.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} · {t('cmp.aud.people', { n: fmt.number(s.size) })}
                </option>
              ))}
            </select>
            {!segments.length && <span className="muted small">{t('cmp.aud.noSegments')}</span>}
          </label>
          {draft.audienceKind === 'lookalike' && (
            <label className="field">
              {t('cmp.aud.size')}
              <input name="lookalikeSize" type="number" min={1} max={10000} step={1} value={draft.lookalikeSize} onChange={(e) => set({ lookalikeSize: e.target.value })} />
            </label>
          )}
        </div>
      )}
      {draft.audienceKind === 'list' && (
        <div className="cmp-list-input">
          <label className="field">
            {t('cmp.aud.ids')}
            <textarea name="userIds" rows={6} className="code-input" value={draft.listText} placeholder="u_001, u_002…" onChange={(e) => set({ listText: e.target.value })} />
          </label>
          <div className="cmp-inline">
            <span className="muted small" data-testid="list-ids" data-value={ids.length}>{t('cmp.aud.idsParsed', { n: fmt.number(ids.length) })}</span>
            <label className="btn small">
              {t('cmp.aud.upload')}
              <input type="file" accept=".csv,.txt,text/csv,text/plain" hidden onChange={(e) => void readFile(e.target.files?.[0])} />
            </label>
          </div>
        </div>
      )}
    </div>
  );
}
