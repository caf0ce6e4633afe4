import { useState, type FormEvent } from 'react';
import { apiSend } from '../../api.ts';
import { useI18n } from '../../i18n/index.tsx';
import type { Rule, Segment } from '../../types.ts';
import { formError, issuesFor, type FormError } from '../tags/formErrors.ts';

/**
 * Name, description and an optional webhook (URL + signing secret), then POST /api/v1/segments (or PUT
 * when editing). The secret is never shown again by the server, so an edit keeps the webhook only when
 * the secret is typed again. A rejected save shows the server's message, and under the field it names.
 */
export function SaveSegmentForm({ rule, incomplete, editing, onSaved }: { rule: Rule | null; incomplete: number; editing?: Segment; onSaved(s: Segment): void }) {
  const { t } = useI18n();
  const [name, setName] = useState(editing?.name ?? '');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [url, setUrl] = useState(editing?.webhook?.url ?? '');
  const [secret, setSecret] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const webhookHalf = (url.trim() === '') !== (secret === '');

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!rule) return;
    const body: Record<string, unknown> = { name: name.trim(), description: description.trim(), kind: 'dynamic', rule };
    if (url.trim()) body.webhook = { url: url.trim(), secret };
    setSaving(true);
    setError(null);
    try {
      const saved = editing ? await apiSend<Segment>('PUT', `/api/v1/segments/${encodeURIComponent(editing.id)}`, body) : await apiSend<Segment>('POST', '/api/v1/segments', body);
      onSaved(saved);
    } catch (err) {
      setError(formError(err));
    } finally {
      setSaving(false);
    }
  }

  const errors = (field: string) =>
    issuesFor(error, field).map((m) => (
      <span key={m} className="field-error" data-field-error={field}>
        {m}
      </span>
    ));
  const invalid = (field: string) => issuesFor(error, field).length > 0;

  return (
    <form className="card tag-form" onSubmit={submit} data-testid="save-segment-form">
      <h2>{t(editing ? 'seg.save.editTitle' : 'seg.save.title')}</h2>
      {error && (
        <div className="form-error" role="alert" data-testid="form-error">
          <strong>{t('seg.save.rejected')}</strong> <span className="error-message">{error.message}</span>
          {errors('rule')}
        </div>
      )}
      <div className="form-grid">
        <label className="field">
          <span>{t('seg.save.name')}</span>
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} aria-invalid={invalid('name')} className={invalid('name') ? 'invalid' : ''} />
          {errors('name')}
        </label>
        <label className="field">
          <span>{t('seg.save.description')}</span>
          <input name="description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} />
          {errors('description')}
        </label>
      </div>
      <details className="webhook-box" open={!!editing?.webhook || undefined}>
        <summary>{t('seg.save.webhook')}</summary>
        <p className="muted small">{t('seg.save.webhookHint')}</p>
        {editing?.webhook && <p className="notice small">{t('seg.save.webhookKeep')}</p>}
        <div className="form-grid">
          <label className="field">
            <span>{t('seg.save.webhookUrl')}</span>
            <input name="webhookUrl" type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://crm.example.com/hooks/huaxiang" aria-invalid={invalid('webhook')} className={invalid('webhook') ? 'invalid' : ''} />
          </label>
          <label className="field">
            <span>{t('seg.save.webhookSecret')}</span>
            <input name="webhookSecret" type="password" autoComplete="new-password" value={secret} onChange={(e) => setSecret(e.target.value)} aria-invalid={invalid('webhook')} className={invalid('webhook') ? 'invalid' : ''} />
          </label>
        </div>
        {errors('webhook')}
        {webhookHalf && <span className="field-error">{t('seg.save.webhookBoth')}</span>}
      </details>
      {incomplete > 0 && <p className="field-error">{t('seg.save.incomplete', { n: incomplete })}</p>}
      <div className="form-actions">
        <button type="submit" className="btn primary" disabled={saving || !rule || incomplete > 0 || !name.trim() || webhookHalf} data-testid="save-segment">
          {saving ? t('form.saving') : t(editing ? 'seg.save.update' : 'seg.save.submit')}
        </button>
      </div>
    </form>
  );
}
