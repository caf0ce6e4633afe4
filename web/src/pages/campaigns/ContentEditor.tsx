import { useRef, useState } from 'react';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { newVariant, type Draft, type VariantDraft } from './draft.ts';

/** The template variables (src/campaigns/types.ts, Content): inserted at the cursor by a click. */
const VARIABLES: { code: string; help: MessageKey }[] = [
  { code: '{{traits.firstName}}', help: 'cmp.var.firstName' },
  { code: '{{tags.rfm_segment}}', help: 'cmp.var.tag' },
  { code: '{{coupon.code}}', help: 'cmp.var.couponCode' },
  { code: '{{coupon.value}}', help: 'cmp.var.couponValue' },
  { code: '{{#recommendations}}{{name}} {{url}}\n{{/recommendations}}', help: 'cmp.var.recs' },
  { code: '{{unsubscribeUrl}}', help: 'cmp.var.unsubscribe' },
];

const LOCALES = ['zh', 'en'] as const;
type Loc = (typeof LOCALES)[number];

/** Step 3: the message of each variant (A/B…), with zh/en tabs and the variables help. */
export function ContentEditor({ draft, set }: { draft: Draft; set(p: Partial<Draft>): void }) {
  const { t } = useI18n();
  const update = (i: number, v: VariantDraft) => set({ variants: draft.variants.map((x, j) => (j === i ? v : x)) });
  const add = () => {
    const used = new Set(draft.variants.map((v) => v.name));
    const name = 'ABCDEFGHIJ'.split('').find((c) => !used.has(c)) ?? `V${draft.variants.length + 1}`;
    const base = draft.variants[draft.variants.length - 1];
    set({ variants: [...draft.variants, base ? { ...structuredClone(base), name } : newVariant(name)] });
  };
  return (
    <div className="cmp-step" data-testid="step-content">
      {draft.variants.map((v, i) => (
        <VariantCard key={i} index={i} v={v} channel={draft.channel} onChange={(x) => update(i, x)} onRemove={draft.variants.length > 1 ? () => set({ variants: draft.variants.filter((_, j) => j !== i) }) : undefined} />
      ))}
      <div className="form-actions">
        <button type="button" className="btn" onClick={add} data-testid="add-variant" disabled={draft.variants.length >= 10}>
          + {t('cmp.content.addVariant')}
        </button>
      </div>
    </div>
  );
}

function VariantCard({ index, v, channel, onChange, onRemove }: { index: number; v: VariantDraft; channel: string; onChange(v: VariantDraft): void; onRemove?: () => void }) {
  const { t } = useI18n();
  const [loc, setLoc] = useState<Loc>('zh');
  const body = useRef<HTMLTextAreaElement>(null);
  const insert = (code: string) => {
    const el = body.current;
    const text = v.body[loc];
    const at = el ? el.selectionStart : text.length;
    const end = el ? el.selectionEnd : text.length;
    onChange({ ...v, body: { ...v.body, [loc]: text.slice(0, at) + code + text.slice(end) } });
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + code.length, at + code.length);
    });
  };
  const noSubject = channel === 'sms';
  return (
    <div className="cmp-variant" data-variant={index}>
      <div className="cmp-variant-head">
        <label className="inline-field">
          <span>{t('cmp.content.variant')}</span>
          <input name="variantName" className="narrow" value={v.name} onChange={(e) => onChange({ ...v, name: e.target.value })} />
        </label>
        <label className="inline-field">
          <span>{t('cmp.content.weight')}</span>
          <input name="variantWeight" type="number" min={0} step="any" className="narrow" value={v.weight} onChange={(e) => onChange({ ...v, weight: e.target.value })} />
        </label>
        <div className="segmented small" role="tablist" aria-label={t('cmp.content.locale')}>
          {LOCALES.map((l) => (
            <button key={l} type="button" role="tab" aria-selected={loc === l} className={loc === l ? 'active' : ''} data-locale={l} onClick={() => setLoc(l)}>
              {t(`cmp.locale.${l}` as MessageKey)}
              {v.body[l].trim() ? ' ✓' : ''}
            </button>
          ))}
        </div>
        {onRemove && (
          <button type="button" className="btn small danger remove" onClick={onRemove}>
            {t('cmp.content.remove')}
          </button>
        )}
      </div>
      {!noSubject && (
        <label className="field">
          {t('cmp.content.subject')}
          <input name="subject" value={v.subject[loc]} onChange={(e) => onChange({ ...v, subject: { ...v.subject, [loc]: e.target.value } })} />
        </label>
      )}
      <label className="field">
        {t('cmp.content.body')}
        <textarea ref={body} name="body" rows={5} value={v.body[loc]} onChange={(e) => onChange({ ...v, body: { ...v.body, [loc]: e.target.value } })} />
      </label>
      <details className="cmp-vars">
        <summary>{t('cmp.content.variables')}</summary>
        <ul>
          {VARIABLES.map((x) => (
            <li key={x.code}>
              <button type="button" className="btn small mono" onClick={() => insert(x.code)} title={t('cmp.content.insert')}>
                {x.code.split('\n')[0]}
              </button>
              <span className="muted small">{t(x.help)}</span>
            </li>
          ))}
        </ul>
      </details>
      <div className="form-grid">
        <label className="field">
          {t('cmp.content.url')}
          <input name="url" type="url" placeholder="https://shop.example.com/…" value={v.url} onChange={(e) => onChange({ ...v, url: e.target.value })} />
        </label>
        <label className="field">
          {t('cmp.content.recs')}
          <input name="recommendations" type="number" min={0} max={20} step={1} value={v.recommendations} onChange={(e) => onChange({ ...v, recommendations: e.target.value })} />
        </label>
      </div>
      <div className="cmp-coupon">
        <label className="not-toggle">
          <input type="checkbox" name="coupon" checked={v.coupon.on} onChange={(e) => onChange({ ...v, coupon: { ...v.coupon, on: e.target.checked } })} />
          {t('cmp.content.coupon')}
        </label>
        {v.coupon.on && (
          <>
            <label className="inline-field">
              <span>{t('cmp.content.couponValue')}</span>
              <input name="couponValue" type="number" min={0} step="any" className="narrow" value={v.coupon.value} onChange={(e) => onChange({ ...v, coupon: { ...v.coupon, value: e.target.value } })} />
            </label>
            <label className="inline-field">
              <span>{t('cmp.content.couponCategory')}</span>
              <input name="couponCategory" value={v.coupon.category} placeholder={t('cmp.content.allCategories')} onChange={(e) => onChange({ ...v, coupon: { ...v.coupon, category: e.target.value } })} />
            </label>
            <label className="inline-field">
              <span>{t('cmp.content.couponDays')}</span>
              <input name="couponDays" type="number" min={1} step={1} className="narrow" value={v.coupon.validDays} onChange={(e) => onChange({ ...v, coupon: { ...v.coupon, validDays: e.target.value } })} />
            </label>
          </>
        )}
      </div>
    </div>
  );
}
