import { useI18n } from '../i18n/index.tsx';

/** zh-CN ⇄ English; the choice is kept in localStorage. */
export function LangSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <button
      type="button"
      className="btn ghost lang-switch"
      data-testid="lang-switch"
      title={t('lang.switchTitle')}
      lang={lang === 'en' ? 'zh-CN' : 'en'}
      onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}
    >
      <span aria-hidden="true">文/A</span> {t('lang.switchTo')}
    </button>
  );
}
