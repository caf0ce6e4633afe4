import { useI18n } from '../../i18n/index.tsx';

/** The rule as JSON, editable: the whole language (docs/segments.md); a parse error is shown under it. */
export function RuleJson({ text, onChange, parseError }: { text: string; onChange(s: string): void; parseError: string | null }) {
  const { t } = useI18n();
  return (
    <div className="spec-editor">
      <textarea
        name="rule"
        className={`code-input${parseError ? ' invalid' : ''}`}
        value={text}
        onChange={(e) => onChange(e.target.value)}
        spellCheck={false}
        rows={Math.min(28, Math.max(10, text.split('\n').length + 1))}
        aria-invalid={!!parseError}
        aria-label={t('seg.builder.rule')}
        data-testid="rule-json"
      />
      <p className="muted small">{t('seg.json.hint')}</p>
      {parseError && (
        <p className="field-error" data-testid="json-error">
          {t('form.jsonInvalid', { msg: parseError })}
        </p>
      )}
    </div>
  );
}
