import { useI18n } from '../../i18n/index.tsx';
import type { RawDraft } from './ruleDraft.ts';

function parseError(json: string): string | null {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? null : '{ … }';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Any condition of the rule language as JSON: what the rows cannot show (docs/segments.md). */
export function RawCondition({ draft, onChange }: { draft: RawDraft; onChange(d: RawDraft): void }) {
  const { t } = useI18n();
  const error = parseError(draft.json);
  return (
    <div className="cond-stack">
      <textarea
        name="rawRule"
        className={`code-input${error ? ' invalid' : ''}`}
        rows={Math.min(12, Math.max(2, draft.json.split('\n').length))}
        value={draft.json}
        onChange={(e) => onChange({ ...draft, json: e.target.value })}
        spellCheck={false}
        aria-label={t('seg.cond.raw')}
        aria-invalid={!!error}
      />
      {error && <span className="field-error">{t('form.jsonInvalid', { msg: error })}</span>}
    </div>
  );
}
