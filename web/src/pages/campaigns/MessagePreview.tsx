import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/index.tsx';
import { useApi } from '../../useApi.ts';
import { contentOf, parseIds, type Draft } from './draft.ts';
import type { Locale, RenderedMessage } from './types.ts';
import { useDebouncedPost } from './useDebouncedPost.ts';

/** Beside the content editor: the chosen variant rendered for one person (POST /api/v1/campaigns/preview). */
export function MessagePreview({ draft }: { draft: Draft }) {
  const { t, lang } = useI18n();
  const [variant, setVariant] = useState(0);
  const [locale, setLocale] = useState<Locale>(lang === 'en' ? 'en' : 'zh-CN');
  const [userId, setUserId] = useState('');
  // a few people of the audience to pick from
  const seg = draft.audienceKind !== 'list' && draft.segmentId ? draft.segmentId : null;
  const members = useApi<{ userIds: string[] }>(seg ? `/api/v1/segments/${encodeURIComponent(seg)}/members` : null, { format: 'json', limit: 5 });
  const sample = seg ? (members.data?.userIds ?? []) : parseIds(draft.listText).slice(0, 5);
  useEffect(() => {
    if (!userId && sample[0]) setUserId(sample[0]);
  }, [sample[0]]); // eslint-disable-line react-hooks/exhaustive-deps
  const v = draft.variants[Math.min(variant, draft.variants.length - 1)]!;
  const content = contentOf(v);
  const ready = userId.trim() !== '' && Object.keys(content.body).length > 0;
  const state = useDebouncedPost<RenderedMessage>('/api/v1/campaigns/preview', ready ? { content, channel: draft.channel, userId: userId.trim(), locale } : null, 600);
  const shown = state.status === 'ok' ? state.result : state.status === 'idle' ? null : state.last;
  return (
    <div className="card cmp-preview" data-testid="message-preview" data-status={state.status}>
      <div className="card-head">
        <h2>{t('cmp.preview.title')}</h2>
        {state.status === 'running' && (
          <span className="muted small" role="status">
            <span className="spinner inline" aria-hidden="true" /> {t('cmp.preview.running')}
          </span>
        )}
      </div>
      <div className="cmp-inline">
        {draft.variants.length > 1 && (
          <select name="previewVariant" value={variant} onChange={(e) => setVariant(Number(e.target.value))} aria-label={t('cmp.content.variant')}>
            {draft.variants.map((x, i) => (
              <option key={i} value={i}>
                {t('cmp.content.variant')} {x.name}
              </option>
            ))}
          </select>
        )}
        <select name="previewLocale" value={locale} onChange={(e) => setLocale(e.target.value as Locale)} aria-label={t('cmp.content.locale')}>
          <option value="zh-CN">{t('cmp.locale.zh')}</option>
          <option value="en">{t('cmp.locale.en')}</option>
        </select>
        <input name="previewUser" placeholder={t('cmp.preview.user')} value={userId} onChange={(e) => setUserId(e.target.value)} />
      </div>
      {sample.length > 0 && (
        <div className="choice-list cmp-sample">
          {sample.map((u) => (
            <button key={u} type="button" className={`chip${u === userId ? ' on' : ''}`} onClick={() => setUserId(u)}>
              {u}
            </button>
          ))}
        </div>
      )}
      {!ready && <p className="muted small">{t('cmp.preview.waiting')}</p>}
      {state.status === 'error' && (
        <div className="form-error" role="alert" data-testid="preview-error">
          {t('cmp.preview.error', { msg: state.message })}
        </div>
      )}
      {shown && ready && (
        <div className={`cmp-rendered${state.status === 'running' ? ' stale' : ''}`} data-testid="rendered">
          <dl className="facts small">
            <div className="fact"><dt>{t('cmp.preview.to')}</dt><dd className="mono">{shown.to}</dd></div>
            {shown.url && <div className="fact"><dt>{t('cmp.content.url')}</dt><dd className="mono">{shown.url}</dd></div>}
            {shown.coupon && <div className="fact"><dt>{t('cmp.content.coupon')}</dt><dd className="mono">{shown.coupon.code} · ¥{shown.coupon.value}</dd></div>}
          </dl>
          {shown.subject && <div className="cmp-subject" data-testid="rendered-subject">{shown.subject}</div>}
          <pre className="cmp-text" data-testid="rendered-text">{shown.text}</pre>
          {shown.html && <iframe className="cmp-html" title={t('cmp.preview.html')} sandbox="" srcDoc={shown.html} />}
        </div>
      )}
    </div>
  );
}
