import { useI18n } from '../../i18n/index.tsx';
import { enumLabel, tagName } from '../../tagText.ts';
import type { ProfileTag } from '../../types.ts';

/** Boolean tags worth a chip at the top when true (behavioural flags). */
const FLAGS = ['high_value', 'churn_warning', 'price_sensitive', 'brand_loyal', 'trend_seeker', 'promotion_hunter', 'cart_abandoner', 'window_shopper'];

/** The headline of a profile: RFM class with its R/F/M scores, lifecycle stage, and the flags that hold. */
export function ProfileBadges({ values, tags }: { values: Record<string, unknown>; tags: ProfileTag[] }) {
  const { t, lang } = useI18n();
  const rfm = typeof values.rfm_class === 'string' ? values.rfm_class : null;
  const stage = typeof values.lifecycle_stage === 'string' ? values.lifecycle_stage : null;
  const score = (k: string) => (typeof values[k] === 'number' ? String(values[k]) : '–');
  const names = new Map(tags.map((x) => [x.code, tagName(x, lang)]));
  const labels = (code: string) => tags.find((x) => x.code === code)?.labels;
  const flags = FLAGS.filter((f) => values[f] === true);
  if (!rfm && !stage && !flags.length) return null;
  return (
    <div className="profile-badges">
      {rfm && (
        <span className={`seg-badge big rfm-${rfm}`} data-testid="rfm-badge" data-value={rfm} title={t('profile.rfm')}>
          <span className="seg-badge-k">RFM</span> {enumLabel('rfm_class', rfm, t, labels('rfm_class'), lang)}
          <span className="rfm-scores">
            R{score('rfm_r')} F{score('rfm_f')} M{score('rfm_m')}
          </span>
        </span>
      )}
      {stage && (
        <span className={`seg-badge big life-${stage}`} data-testid="lifecycle-badge" data-value={stage} title={t('profile.lifecycle')}>
          <span className="seg-badge-k">{t('profile.lifecycle')}</span> {enumLabel('lifecycle_stage', stage, t, labels('lifecycle_stage'), lang)}
        </span>
      )}
      {flags.map((f) => (
        <span key={f} className={`flag flag-${f}`} data-flag={f}>
          {names.get(f) ?? f}
        </span>
      ))}
    </div>
  );
}
