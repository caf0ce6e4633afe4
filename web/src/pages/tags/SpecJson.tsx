import { useI18n } from '../../i18n/index.tsx';

/** The JSON editor for the full definition language; a parse error is shown under it. */
export function SpecJson({ text, onChange, parseError, invalid }: { text: string; onChange(s: string): void; parseError: string | null; invalid: boolean }) {
  const { t } = useI18n();
  return (
    <div className="spec-editor">
      <textarea
        name="spec"
        className={`code-input${invalid || parseError ? ' invalid' : ''}`}
        value={text}
        onChange={(e) => onChange(e.target.value)}
        spellCheck={false}
        rows={Math.min(24, Math.max(8, text.split('\n').length + 1))}
        aria-invalid={invalid || !!parseError}
        aria-label={t('form.spec')}
      />
      <p className="muted small">{t('form.jsonHint')}</p>
      {parseError && (
        <p className="field-error" data-testid="json-error">
          {t('form.jsonInvalid', { msg: parseError })}
        </p>
      )}
    </div>
  );
}
