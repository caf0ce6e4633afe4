import { useI18n } from '../../i18n/index.tsx';
import { useBuilder } from './builderContext.ts';
import type { SegmentRefDraft } from './ruleDraft.ts';

/** Members (or non-members) of another saved segment. */
export function SegmentRefCondition({ draft, onChange }: { draft: SegmentRefDraft; onChange(d: SegmentRefDraft): void }) {
  const { t, fmt } = useI18n();
  const { segments } = useBuilder();
  const known = segments.some((s) => s.id === draft.segment);
  return (
    <div className="cond-fields">
      <select name="member" value={draft.member ? 'in' : 'out'} onChange={(e) => onChange({ ...draft, member: e.target.value === 'in' })} aria-label={t('seg.field.member')}>
        <option value="in">{t('seg.segment.member')}</option>
        <option value="out">{t('seg.segment.notMember')}</option>
      </select>
      <select name="segment" value={draft.segment} onChange={(e) => onChange({ ...draft, segment: e.target.value })} aria-label={t('seg.segment.choose')}>
        <option value="">{t('seg.segment.choose')}</option>
        {draft.segment && !known && <option value={draft.segment}>{draft.segment}</option>}
        {segments.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name} ({fmt.number(s.size)})
          </option>
        ))}
      </select>
    </div>
  );
}
