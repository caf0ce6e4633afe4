import { useI18n } from '../../i18n/index.tsx';
import { enumLabel } from '../../tagText.ts';
import { useBuilder } from './builderContext.ts';
import { LIFECYCLE_STAGES, RFM_CLASSES, type CodesDraft } from './ruleDraft.ts';

/** RFM classes or lifecycle stages to match (any of those checked). */
export function CodesCondition({ draft, onChange }: { draft: CodesDraft; onChange(d: CodesDraft): void }) {
  const { t, lang } = useI18n();
  const { byCode } = useBuilder();
  const tagCode = draft.kind === 'rfm' ? 'rfm_class' : 'lifecycle_stage';
  const all = draft.kind === 'rfm' ? RFM_CLASSES : LIFECYCLE_STAGES;
  const chosen = new Set(draft.codes);
  const toggle = (c: string) => onChange({ ...draft, codes: all.filter((x) => (x === c ? !chosen.has(x) : chosen.has(x))) });
  return (
    <span className="choice-list" role="group" aria-label={t(draft.kind === 'rfm' ? 'seg.cond.rfm' : 'seg.cond.lifecycle')}>
      {all.map((c) => (
        <label key={c} className={`chip${chosen.has(c) ? ' on' : ''}`}>
          <input type="checkbox" name="codes" value={c} checked={chosen.has(c)} onChange={() => toggle(c)} />
          {enumLabel(tagCode, c, t, byCode.get(tagCode)?.labels, lang)}
        </label>
      ))}
    </span>
  );
}
