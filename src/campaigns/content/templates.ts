import Mustache from 'mustache';
import type { Content, Locale } from '../types.ts';

/**
 * Message templates are Mustache (logic-less: `{{traits.firstName}}`, `{{#recommendations}}…{{/recommendations}}`,
 * `{{^coupon}}…{{/coupon}}`), one per locale. What a template may read is the `TemplateView` below.
 */

export interface TemplateView {
  user: { id: string };
  /** the person's latest traits (identify) */
  traits: Record<string, unknown>;
  /** profile tags by code */
  tags: Record<string, unknown>;
  locale: Locale;
  /** the campaign's landing link (rewritten to a click redirect after rendering) */
  url: string;
  coupon: { code: string; value: number; category?: string; expiresAt: string } | null;
  recommendations: { itemId: string; name: string; title: string; category: string; brand: string; price: number | null; url: string; reason: string; rank: number }[];
  unsubscribeUrl: string;
}

const LOCALES: Locale[] = ['zh-CN', 'en'];

/** The locale a message is written in: the recipient's when the content has it, else zh-CN, else en. */
export function chooseLocale(content: Content, wanted: Locale): Locale {
  const has = (l: Locale) => typeof content.body[l] === 'string' && content.body[l]!.trim() !== '';
  if (has(wanted)) return wanted;
  return LOCALES.find(has) ?? wanted;
}

/** The subject in the chosen locale, else in any locale that has one. */
export function subjectOf(content: Content, locale: Locale): string {
  const s = content.subject ?? {};
  return s[locale] ?? s['zh-CN'] ?? s.en ?? '';
}

const noEscape = (s: string) => s;

/** Renders a template as plain text (SMS, push, in-app, subjects): values go in as they are. */
export function renderText(template: string, view: TemplateView): string {
  return Mustache.render(template, view, undefined, { escape: noEscape });
}

/** Renders a template as HTML: every `{{value}}` is HTML-escaped (`{{{value}}}` is not: the author's choice). */
export function renderHtml(template: string, view: TemplateView): string {
  return Mustache.render(template, view);
}

/** Whether a body is written as HTML (it has tags) rather than plain text. */
export function isHtml(template: string): boolean {
  return /<\/?[a-z][a-z0-9]*(\s[^>]*)?>/i.test(template);
}

/** Checks a template parses; returns the parser's message when it does not. */
export function templateError(template: string): string | null {
  try {
    Mustache.parse(template);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
