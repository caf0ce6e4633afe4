import { useMemo, useState, type FormEvent } from 'react';
import { apiSend } from '../../api.ts';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { PURPOSES, VALUE_TYPES, type Purpose, type Tag, type TagCategory, type TagInput, type TagSpec, type ValueType } from '../../types.ts';
import { categoryPath } from './categories.ts';
import { formError, issuesFor, type FormError } from './formErrors.ts';
import { PreviewPanel } from './PreviewPanel.tsx';
import { SpecJson } from './SpecJson.tsx';
import { StatBuilder } from './StatBuilder.tsx';
import { draftOf, emptyDraft, RULE_TEMPLATE, statSpec, valueTypeFor, type StatDraft } from './specDraft.ts';

type Mode = 'builder' | 'json';

interface Fields {
  code: string;
  name_zh: string;
  name_en: string;
  category: string;
  valueType: ValueType;
  purpose: Purpose;
  description: string;
}

const pretty = (s: unknown) => JSON.stringify(s, null, 2);

/** Parses the JSON editor's text into a definition, or says why it cannot. */
function parseSpec(text: string): { spec: TagSpec | null; error: string | null } {
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v) || typeof (v as { type?: unknown }).type !== 'string') return { spec: null, error: '{ "type": … }' };
    return { spec: v as TagSpec, error: null };
  } catch (e) {
    return { spec: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Create (POST /api/v1/tags) or edit (PUT /api/v1/tags/:code) a statistical or rule tag. Statistical tags
 * have a guided builder; any definition can be written as JSON. The preview beside it runs the definition
 * as it is typed; a rejected save shows the server's message next to the fields it names.
 */
export function TagForm({ categories, editing, onSaved, onCancel }: { categories: TagCategory[]; editing?: Tag; onSaved(code: string): void; onCancel(): void }) {
  const { t, lang } = useI18n();
  const initialDraft = editing ? draftOf(editing.spec) : emptyDraft();
  const [fields, setFields] = useState<Fields>(() =>
    editing
      ? { code: editing.code, name_zh: editing.name_zh, name_en: editing.name_en, category: editing.category, valueType: editing.valueType, purpose: editing.purpose, description: editing.description }
      : { code: '', name_zh: '', name_en: '', category: '', valueType: 'number', purpose: 'analytics', description: '' },
  );
  const [kind, setKind] = useState<'statistical' | 'rule'>(editing && editing.kind !== 'statistical' ? 'rule' : 'statistical');
  const [mode, setMode] = useState<Mode>(initialDraft ? 'builder' : 'json');
  const [draft, setDraft] = useState<StatDraft>(initialDraft ?? emptyDraft());
  const [json, setJson] = useState(() => pretty(editing ? editing.spec : statSpec(emptyDraft())));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<FormError | null>(null);

  const parsed = useMemo(() => (mode === 'json' ? parseSpec(json) : { spec: statSpec(draft), error: null }), [mode, json, draft]);
  const set = (patch: Partial<Fields>) => setFields((f) => ({ ...f, ...patch }));

  function chooseKind(k: 'statistical' | 'rule') {
    if (k === kind) return;
    setKind(k);
    if (k === 'rule') {
      setMode('json');
      setJson(pretty(RULE_TEMPLATE));
      set({ valueType: 'boolean' });
    } else {
      setMode('builder');
      set({ valueType: valueTypeFor(draft.agg) });
    }
  }

  function chooseMode(m: Mode) {
    if (m === mode) return;
    if (m === 'json') setJson(pretty(statSpec(draft)));
    else {
      const d = parsed.spec ? draftOf(parsed.spec) : null;
      if (d) setDraft(d);
    }
    setMode(m);
  }

  function changeDraft(d: StatDraft) {
    if (d.agg !== draft.agg) set({ valueType: valueTypeFor(d.agg) });
    setDraft(d);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!parsed.spec) return;
    const body: TagInput = { ...fields, code: fields.code.trim(), description: fields.description.trim(), spec: parsed.spec };
    if (editing) {
      // what the form does not show stays as it was
      body.refresh = editing.refresh;
      if (editing.labels) body.labels = editing.labels;
    }
    setSaving(true);
    setError(null);
    try {
      const saved = editing
        ? await apiSend<Tag>('PUT', `/api/v1/tags/${encodeURIComponent(editing.code)}`, body)
        : await apiSend<Tag>('POST', '/api/v1/tags', body);
      onSaved(saved.code ?? body.code);
    } catch (err) {
      setError(formError(err));
    } finally {
      setSaving(false);
    }
  }

  const fieldErrors = (name: string) => issuesFor(error, name);
  const invalid = (name: string) => fieldErrors(name).length > 0;
  const errors = (name: string) =>
    fieldErrors(name).map((m) => (
      <span key={m} className="field-error" data-field-error={name}>
        {m}
      </span>
    ));
  const sortedCategories = useMemo(
    () => categories.map((c) => ({ code: c.code, label: categoryPath(c.code, categories, lang) })).sort((a, b) => a.label.localeCompare(b.label, lang)),
    [categories, lang],
  );

  return (
    <div className="form-layout">
      <form className="card tag-form" onSubmit={submit} data-testid="tag-form">
        <h2>{editing ? t('form.editTitle', { code: editing.code }) : t('form.newTitle')}</h2>
        {error && (
          <div className="form-error" role="alert" data-testid="form-error">
            <strong>{t('form.rejected')}</strong> <span className="error-message">{error.message}</span>
          </div>
        )}
        <div className="field">
          <span>{t('form.kind')}</span>
          <div className="segmented" role="radiogroup" aria-label={t('form.kind')}>
            {(['statistical', 'rule'] as const).map((k) => (
              <button key={k} type="button" role="radio" aria-checked={kind === k} className={kind === k ? 'active' : ''} onClick={() => chooseKind(k)} data-kind-choice={k}>
                {t(k === 'statistical' ? 'form.kindStat' : 'form.kindRule')}
              </button>
            ))}
          </div>
        </div>
        <div className="form-grid">
          <label className="field">
            <span>{t('form.code')}</span>
            <input name="code" value={fields.code} disabled={!!editing} onChange={(e) => set({ code: e.target.value })} aria-invalid={invalid('code')} className={invalid('code') ? 'invalid' : ''} spellCheck={false} />
            <span className="muted small">{t('form.codeHint')}</span>
            {errors('code')}
          </label>
          <label className="field">
            <span>{t('form.category')}</span>
            <select name="category" value={fields.category} onChange={(e) => set({ category: e.target.value })} aria-invalid={invalid('category')} className={invalid('category') ? 'invalid' : ''}>
              <option value="">{t('form.chooseCategory')}</option>
              {sortedCategories.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.label}
                </option>
              ))}
            </select>
            {errors('category')}
          </label>
          <label className="field">
            <span>{t('form.nameZh')}</span>
            <input name="name_zh" value={fields.name_zh} onChange={(e) => set({ name_zh: e.target.value })} aria-invalid={invalid('name_zh')} className={invalid('name_zh') ? 'invalid' : ''} />
            {errors('name_zh')}
          </label>
          <label className="field">
            <span>{t('form.nameEn')}</span>
            <input name="name_en" value={fields.name_en} onChange={(e) => set({ name_en: e.target.value })} aria-invalid={invalid('name_en')} className={invalid('name_en') ? 'invalid' : ''} />
            {errors('name_en')}
          </label>
          <label className="field">
            <span>{t('form.valueType')}</span>
            <select name="valueType" value={fields.valueType} onChange={(e) => set({ valueType: e.target.value as ValueType })} aria-invalid={invalid('valueType')} className={invalid('valueType') ? 'invalid' : ''}>
              {VALUE_TYPES.map((v) => (
                <option key={v} value={v}>
                  {t(`vt.${v}` as MessageKey)}
                </option>
              ))}
            </select>
            {errors('valueType')}
          </label>
          <label className="field">
            <span>{t('form.purpose')}</span>
            <select name="purpose" value={fields.purpose} onChange={(e) => set({ purpose: e.target.value as Purpose })}>
              {PURPOSES.map((p) => (
                <option key={p} value={p}>
                  {t(`purpose.${p}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <label className="field">
          <span>{t('form.description')}</span>
          <textarea name="description" rows={2} value={fields.description} onChange={(e) => set({ description: e.target.value })} />
          {errors('description')}
        </label>
        <div className="field">
          <div className="spec-head">
            <span>{t('form.spec')}</span>
            {kind === 'statistical' && (
              <div className="segmented small" role="tablist">
                {(['builder', 'json'] as const).map((m) => (
                  <button key={m} type="button" role="tab" aria-selected={mode === m} className={mode === m ? 'active' : ''} onClick={() => chooseMode(m)} data-mode={m}>
                    {t(m === 'builder' ? 'form.modeBuilder' : 'form.modeJson')}
                  </button>
                ))}
              </div>
            )}
          </div>
          {mode === 'builder' ? <StatBuilder draft={draft} onChange={changeDraft} /> : <SpecJson text={json} onChange={setJson} parseError={parsed.error} invalid={invalid('spec')} />}
          {errors('spec')}
        </div>
        <div className="form-actions">
          <button type="submit" className="btn primary" disabled={saving || !parsed.spec} data-testid="save-tag">
            {saving ? t('form.saving') : t('form.save')}
          </button>
          <button type="button" className="btn ghost" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
      <PreviewPanel code={fields.code} valueType={fields.valueType} spec={parsed.spec} />
    </div>
  );
}
