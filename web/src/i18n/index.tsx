import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en } from './en.ts';
import { zhCN, type MessageKey } from './zh-CN.ts';

export type Lang = 'zh-CN' | 'en';
export type { MessageKey };

const dictionaries: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
const STORAGE_KEY = 'hx.lang';

function storedLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'en' || v === 'zh-CN' ? v : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** Locale-aware formatting for numbers, money, ratios and times. */
export interface Format {
  number(n: number): string;
  compact(n: number): string;
  money(n: number, currency: string): string;
  percent(r: number, digits?: number): string;
  dateTime(iso: string): string;
  /** up to `digits` decimals, trailing zeros dropped: 3, 3.5, 3.14 */
  decimal(n: number, digits?: number): string;
  /** the calendar day of a timestamp (a YYYY-MM-DD string is shown as that day) */
  date(iso: string): string;
}

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t: Translate;
  fmt: Format;
}

const Ctx = createContext<I18n | null>(null);

export function makeFormat(lang: Lang): Format {
  const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  const compact = new Intl.NumberFormat(lang, { notation: 'compact', maximumFractionDigits: 1 });
  const moneyFormats = new Map<string, Intl.NumberFormat>();
  const dateTime = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' });
  const day = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' });
  const decimals = new Map<number, Intl.NumberFormat>();
  return {
    number: (n) => number.format(n),
    compact: (n) => compact.format(n),
    money(n, currency) {
      let f = moneyFormats.get(currency);
      if (!f) {
        try {
          f = new Intl.NumberFormat(lang, { style: 'currency', currency, currencyDisplay: 'narrowSymbol', minimumFractionDigits: 2, maximumFractionDigits: 2 });
        } catch {
          f = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
        }
        moneyFormats.set(currency, f);
      }
      return f.format(n);
    },
    percent: (r, digits = 1) => new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(r),
    dateTime: (iso) => dateTime.format(new Date(iso)),
    decimal(n, digits = 2) {
      let f = decimals.get(digits);
      if (!f) decimals.set(digits, (f = new Intl.NumberFormat(lang, { maximumFractionDigits: digits })));
      return f.format(n);
    },
    date(iso) {
      // a bare day is that day wherever the browser is; a timestamp is shown as its day in Shanghai time
      if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return day.format(new Date(`${iso}T00:00:00Z`));
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'Asia/Shanghai' }).format(d);
    },
  };
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      // private mode: the choice lasts for this page only
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const dict = dictionaries[lang];
    const t: Translate = (key, vars) => {
      const s = dict[key] ?? key;
      return vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : s;
    };
    return { lang, setLang, t, fmt: makeFormat(lang) };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
