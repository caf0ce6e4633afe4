import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { useBuilder, TRAITS } from './builderContext.ts';
import { opsFor, takesList, type ValueDraft, type ValueOp } from './ruleDraft.ts';
import { TagPicker } from './TagPicker.tsx';
import { ValueInput } from './ValueInput.tsx';

/** A tag or trait condition: what (tag from the taxonomy, or a trait path), operator, value(s), and top-N for ranked tags. */
export function ValueCondition({ draft, onChange }: { draft: ValueDraft; onChange(d: ValueDraft): void }) {
  const { t } = useI18n();
  const { byCode } = useBuilder();
  const tag = draft.kind === 'tag' ? byCode.get(draft.key) : undefined;
  const ops = opsFor(draft.kind === 'tag' ? (tag?.valueType ?? null) : null);
  const set = (patch: Partial<ValueDraft>) => onChange({ ...draft, ...patch });

  function chooseTag(code: string) {
    const vt = byCode.get(code)?.valueType ?? null;
    const allowed = opsFor(vt);
    set({ key: code, op: allowed.includes(draft.op) ? draft.op : allowed[0]!, value: '', low: '', high: '', topN: '' });
  }
  function chooseOp(op: ValueOp) {
    // a list and a single value do not carry over into each other's inputs
    const keep = takesList(op) === takesList(draft.op) && op !== 'between' && draft.op !== 'between';
    set({ op, value: keep ? draft.value : '' });
  }

  return (
    <div className="cond-fields">
      {draft.kind === 'tag' ? (
        <TagPicker value={draft.key} onChange={chooseTag} />
      ) : (
        <>
          <input name="trait" list="hx-traits" value={draft.key} onChange={(e) => set({ key: e.target.value })} placeholder="city_tier" aria-label={t('seg.field.trait')} spellCheck={false} />
          <datalist id="hx-traits">
            {TRAITS.map((x) => (
              <option key={x} value={x} />
            ))}
          </datalist>
        </>
      )}
      <select name="op" value={draft.op} onChange={(e) => chooseOp(e.target.value as ValueOp)} aria-label={t('seg.field.op')}>
        {ops.map((op) => (
          <option key={op} value={op}>
            {t(`op.${op}` as MessageKey)}
          </option>
        ))}
      </select>
      <ValueInput draft={draft} tag={tag} onChange={set} />
      {tag?.valueType === 'ranked' && (
        <label className="inline-field">
          <span>{t('seg.field.topN')}</span>
          <input name="topN" type="number" min={1} max={50} value={draft.topN} onChange={(e) => set({ topN: e.target.value })} className="narrow" placeholder="—" />
        </label>
      )}
    </div>
  );
}
