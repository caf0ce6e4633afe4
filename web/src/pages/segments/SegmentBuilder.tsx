import { useMemo, useState } from 'react';
import { useI18n } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import type { Rule, Segment, Tag } from '../../types.ts';
import { BuilderCtx, EVENT_FIELDS, type BuilderData } from './builderContext.ts';
import { ConditionGroup } from './ConditionGroup.tsx';
import { LiveCount } from './LiveCount.tsx';
import { buildRule, rootOf, tagTypes, type Built, type GroupDraft } from './ruleDraft.ts';
import { RuleJson } from './RuleJson.tsx';
import { SaveSegmentForm } from './SaveSegmentForm.tsx';
import { EVENTS } from '../tags/specDraft.ts';
import { useSegmentPreview } from './useSegmentPreview.ts';

type Mode = 'visual' | 'json';
const pretty = (r: unknown) => JSON.stringify(r, null, 2);

function parseRule(text: string): { rule: Rule | null; error: string | null } {
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return { rule: null, error: '{ … }' };
    return { rule: v as Rule, error: null };
  } catch (e) {
    return { rule: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * The segment builder (/segments/new, /segments/<id>/edit): condition rows in AND/OR groups (or the rule as
 * JSON), the live count beside them, and the save form below. `initial` prefills the rule (from the RFM or
 * cluster views, or the segment being edited).
 */
export function SegmentBuilder({ tags, segments, editing, initial }: { tags: Tag[]; segments: Segment[]; editing?: Segment; initial?: Rule | null }) {
  const { t } = useI18n();
  const [root, setRoot] = useState<GroupDraft>(() => rootOf(initial ?? editing?.rule ?? null));
  const [mode, setMode] = useState<Mode>('visual');
  const [json, setJson] = useState('');
  const data = useMemo<BuilderData>(
    () => ({ tags, byCode: new Map(tags.map((x) => [x.code, x])), types: tagTypes(tags), segments: segments.filter((s) => s.id !== editing?.id) }),
    [tags, segments, editing?.id],
  );
  const visual = useMemo(() => buildRule(root, data.types), [root, data.types]);
  const parsed = useMemo(() => (mode === 'json' ? parseRule(json) : null), [mode, json]);
  const built: Built = parsed ? { rule: parsed.rule, incomplete: 0 } : visual;
  const preview = useSegmentPreview(built.rule);

  function chooseMode(m: Mode) {
    if (m === mode) return;
    if (m === 'json') setJson(pretty(visual.rule ?? { all: [] }));
    else if (parsed?.rule) setRoot(rootOf(parsed.rule));
    else if (parsed?.error) return; // fix the JSON first
    setMode(m);
  }

  return (
    <BuilderCtx.Provider value={data}>
      <div className="form-layout seg-builder">
        <div className="seg-builder-main">
          <div className="card" data-testid="rule-builder">
            <div className="card-head">
              <h2>{editing ? t('seg.builder.editTitle', { name: editing.name }) : t('seg.builder.title')}</h2>
              <div className="segmented small" role="tablist">
                {(['visual', 'json'] as const).map((m) => (
                  <button key={m} type="button" role="tab" aria-selected={mode === m} className={mode === m ? 'active' : ''} onClick={() => chooseMode(m)} data-mode={m} disabled={m === 'visual' && !!parsed?.error}>
                    {t(m === 'visual' ? 'seg.builder.modeVisual' : 'form.modeJson')}
                  </button>
                ))}
              </div>
            </div>
            <p className="muted small">{t('seg.builder.hint')}</p>
            {mode === 'visual' ? <ConditionGroup group={root} onChange={setRoot} /> : <RuleJson text={json} onChange={setJson} parseError={parsed?.error ?? null} />}
            <datalist id="hx-events">
              {EVENTS.map((e) => (
                <option key={e} value={e} />
              ))}
            </datalist>
            <datalist id="hx-event-fields">
              {EVENT_FIELDS.map((f) => (
                <option key={f} value={f} />
              ))}
            </datalist>
          </div>
          <SaveSegmentForm
            key={editing?.id ?? 'new'}
            rule={built.rule}
            incomplete={built.incomplete}
            editing={editing}
            onSaved={(s) => navigate(`/segments/${encodeURIComponent(s.id)}`)}
          />
        </div>
        <LiveCount state={preview} incomplete={built.incomplete} />
      </div>
    </BuilderCtx.Provider>
  );
}
