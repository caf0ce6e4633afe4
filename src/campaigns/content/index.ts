export { renderMessage, type ContentDeps, type RenderOptions } from './render.ts';
export { MessageLinks, linkSecret, signToken, verifyToken, type LinkKind } from './links.ts';
export { chooseLocale, renderHtml, renderText, templateError, type TemplateView } from './templates.ts';
export { contentSchema, previewBody } from './schema.ts';
export { issueMessageCoupon, findMessageCoupon } from './coupons.ts';
export { recordOpen, recordClick, unsubscribeByMessage, channelOfMessage, type TrackingDeps } from './tracking.ts';
export { PIXEL_GIF, confirmPage, donePage, invalidPage } from './pages.ts';
