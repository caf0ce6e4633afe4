import { useI18n } from '../../i18n/index.tsx';
import { codesOf, enumLabel } from '../../tagText.ts';
import type { Tag, ValueType } from '../../types.ts';
import { takesList, takesNoValue, type ValueDraft } from './ruleDraft.ts';

/** The codes a tag's values are picked from (yes/no, an enum's labelled codes), or null for free input. */
function choicesOf(tag: Tag | undefined): string[] | null {
  if (!tag) return null;
  if (tag.valueType === 'boolean') return ['true', 'false'];
  if (tag.valueType !== 'enum') return null;
  return tag.labels ? Object.keys(tag.labels) : codesOf(tag.code);
}

/**
 * The value(s) of a tag or trait condition, as the tag's value type wants: a select of labels for enums and
 * booleans (check boxes for in / not in), a number or date input, two inputs for between, text otherwise.
 */
export function ValueInput({ draft, tag, onChange }: { draft: ValueDraft; tag: Tag | undefined; onChange(patch: Partial<ValueDraft>): void }) {
  const { t, lang } = useI18n();
  if (takesNoValue(draft.op)) return null;
  const vt: ValueType | null = tag?.valueType ?? null;
  const inputType = vt === 'number' ? 'number' : vt === 'date' ? 'date' : 'text';
  const label = (c: string) => (vt === 'boolean' ? t(c === 'true' ? 'value.true' : 'value.false') : enumLabel(tag!.code, c, t, tag!.labels, lang));
  const choices = choicesOf(tag);

  if (draft.op === 'between') {
    return (
      <span className="value-pair">
        <input name="low" type={inputType} value={draft.low} onChange={(e) => onChange({ low: e.target.value })} placeholder={t('seg.field.low')} aria-label={t('seg.field.low')} />
        <span className="muted">–</span>
        <input name="high" type={inputType} value={draft.high} onChange={(e) => onChange({ high: e.target.value })} placeholder={t('seg.field.high')} aria-label={t('seg.field.high')} />
      </span>
    );
  }
  if (takesList(draft.op)) {
    if (choices) {
      const chosen = new Set(draft.value.split(',').map((x) => x.trim()).filter(Boolean));
      const toggle = (c: string) => {
        const next = new Set(chosen);
        if (next.has(c)) next.delete(c);
        else next.add(c);
        onChange({ value: choices.filter((x) => next.has(x)).join(', ') });
      };
      return (
        <span className="choice-list" role="group" aria-label={t('seg.field.value')}>
          {choices.map((c) => (
            <label key={c} className={`chip${chosen.has(c) ? ' on' : ''}`}>
              <input type="checkbox" name="values" value={c} checked={chosen.has(c)} onChange={() => toggle(c)} />
              {label(c)}
            </label>
          ))}
        </span>
      );
    }
    return <input name="value" value={draft.value} onChange={(e) => onChange({ value: e.target.value })} placeholder={t('builder.listHint')} aria-label={t('seg.field.value')} />;
  }
  if (choices && draft.op !== 'contains') {
    return (
      <select name="value" value={draft.value} onChange={(e) => onChange({ value: e.target.value })} aria-label={t('seg.field.value')}>
        <option value="">{t('seg.field.chooseValue')}</option>
        {draft.value && !choices.includes(draft.value) && <option value={draft.value}>{draft.value}</option>}
        {choices.map((c) => (
          <option key={c} value={c}>
            {label(c)}
          </option>
        ))}
      </select>
    );
  }
  return (
    <input
      name="value"
      type={draft.op === 'contains' ? 'text' : inputType}
      value={draft.value}
      onChange={(e) => onChange({ value: e.target.value })}
      placeholder={t('seg.field.value')}
      aria-label={t('seg.field.value')}
      step={vt === 'number' ? 'any' : undefined}
    />
  );
}
