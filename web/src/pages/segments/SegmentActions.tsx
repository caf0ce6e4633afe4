import { useRef, useState } from 'react';
import { apiDelete, apiDownload, apiSend, apiSendText } from '../../api.ts';
import { useI18n } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import type { Segment } from '../../types.ts';

type Busy = null | 'evaluate' | 'freeze' | 'export' | 'upload' | 'delete';

/**
 * What can be done with a segment: edit its rule, evaluate it now, freeze its members into a static copy,
 * export them as CSV, replace a static segment's members from a CSV, delete it (confirmed in place).
 */
export function SegmentActions({ segment, onChanged }: { segment: Segment; onChanged(): void }) {
  const { t, fmt } = useI18n();
  const [busy, setBusy] = useState<Busy>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const file = useRef<HTMLInputElement>(null);
  const path = `/api/v1/segments/${encodeURIComponent(segment.id)}`;

  async function run(kind: Exclude<Busy, null>, fn: () => Promise<string | null>) {
    setBusy(kind);
    setMessage(null);
    try {
      const text = await fn();
      if (text) setMessage({ ok: true, text });
    } catch (e) {
      setMessage({ ok: false, text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(null);
    }
  }

  const evaluate = () =>
    run('evaluate', async () => {
      const r = await apiSend<{ size: number; entered: number; exited: number }>('POST', `${path}/evaluate`, {});
      onChanged();
      return t('seg.action.evaluated', { size: fmt.number(r.size), entered: fmt.number(r.entered), exited: fmt.number(r.exited) });
    });
  const freeze = () =>
    run('freeze', async () => {
      const s = await apiSend<Segment>('POST', `${path}/freeze`, {});
      navigate(`/segments/${encodeURIComponent(s.id)}`);
      return null;
    });
  const exportCsv = () =>
    run('export', async () => {
      await apiDownload(`${path}/members`, { format: 'csv' }, `${segment.id}.csv`);
      return null;
    });
  const upload = (f: File) =>
    run('upload', async () => {
      const s = await apiSendText<Segment>('PUT', `${path}/members`, await f.text(), 'text/csv');
      onChanged();
      return t('seg.action.uploaded', { size: fmt.number(s.size) });
    });
  const remove = () =>
    run('delete', async () => {
      await apiDelete(path);
      setConfirming(false);
      navigate('/segments');
      return null;
    });

  return (
    <div className="detail-actions-wrap">
      <div className="detail-actions">
        {segment.kind === 'dynamic' && (
          <>
            <button type="button" className="btn" onClick={() => navigate(`/segments/${encodeURIComponent(segment.id)}/edit`)} data-testid="edit-segment">
              {t('seg.action.edit')}
            </button>
            <button type="button" className="btn" onClick={evaluate} disabled={busy !== null} data-testid="evaluate-segment">
              {busy === 'evaluate' ? t('seg.action.evaluating') : t('seg.action.evaluate')}
            </button>
          </>
        )}
        <button type="button" className="btn" onClick={freeze} disabled={busy !== null} data-testid="freeze-segment" title={t('seg.action.freezeHint')}>
          {t('seg.action.freeze')}
        </button>
        <button type="button" className="btn" onClick={exportCsv} disabled={busy !== null} data-testid="export-csv">
          {t('seg.action.export')}
        </button>
        {segment.kind === 'static' && (
          <>
            <button type="button" className="btn" onClick={() => file.current?.click()} disabled={busy !== null} data-testid="upload-csv">
              {busy === 'upload' ? t('form.saving') : t('seg.action.upload')}
            </button>
            <input
              ref={file}
              type="file"
              accept=".csv,text/csv"
              hidden
              name="membersCsv"
              onChange={(e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) void upload(f);
              }}
            />
          </>
        )}
        {!confirming && (
          <button type="button" className="btn danger" onClick={() => setConfirming(true)} disabled={busy !== null} data-testid="delete-segment">
            {t('seg.action.delete')}
          </button>
        )}
      </div>
      {confirming && (
        <div className="confirm" role="alertdialog" aria-label={t('seg.action.delete')}>
          <span>{t('seg.action.deleteConfirm')}</span>
          <button type="button" className="btn danger" disabled={busy !== null} onClick={remove} data-testid="delete-confirm">
            {t('seg.action.confirmDelete')}
          </button>
          <button type="button" className="btn ghost" onClick={() => setConfirming(false)}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      {message && (
        <div className={message.ok ? 'action-ok' : 'form-error'} role={message.ok ? 'status' : 'alert'} data-testid="action-message">
          {message.text}
        </div>
      )}
    </div>
  );
}
