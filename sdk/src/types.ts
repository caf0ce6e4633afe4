/** Consent purposes the platform knows (TAGS.md "Privacy"); shops may add their own names. */
export type Purpose = 'analytics' | 'personalization' | 'marketing' | (string & {});

export type Properties = Record<string, unknown>;
export type Callback = () => void;

/** A Segment spec message as it goes on the wire. */
export interface Message {
  type: 'track' | 'identify' | 'page' | 'screen' | 'alias' | 'group';
  messageId: string;
  anonymousId: string;
  userId: string | null;
  timestamp: string;
  sentAt?: string;
  context: Properties;
  [field: string]: unknown;
}

/** Per-call options (Segment's `options` argument, plus the consent purpose of the call). */
export interface CallOptions {
  /** the consent purpose this call serves; default: `eventPurposes[event]`, else `analytics` */
  purpose?: Purpose;
  anonymousId?: string;
  timestamp?: Date | string;
  messageId?: string;
  context?: Properties;
  integrations?: Properties;
  traits?: Properties;
}

export interface Options {
  writeKey: string;
  /** where the API is: default the origin this script was loaded from, else the page's origin */
  apiHost?: string;
  /** send when this many messages wait (default 20) … */
  flushAt?: number;
  /** … or when the oldest has waited this long, ms (default 1000) */
  flushInterval?: number;
  /** messages kept while the API is unreachable; the oldest go first past this (default 1000) */
  maxQueue?: number;
  /** first retry after about this many ms, doubling each time (default 1000) … */
  retryBase?: number;
  /** … up to this many ms (default 60000) */
  retryMax?: number;
  /** a page() on load and on every history navigation of a single-page app (default false) */
  autoPage?: boolean;
  /** consent per purpose before the user has chosen (a stored choice wins) */
  consent?: Record<string, boolean>;
  /** purposes not listed in `consent` start refused instead of granted (default false) */
  requireConsent?: boolean;
  /** send an identify with traits.consent when consent.set() changes it (default true) */
  recordConsent?: boolean;
  /** event name → consent purpose (e.g. `{ 'Coupon Applied': 'marketing' }`) */
  eventPurposes?: Record<string, Purpose>;
  /** cookie domain for the ids, e.g. `.shop.example` to share them across subdomains */
  cookieDomain?: string;
  /** cookie lifetime in days (default 365) */
  cookieDays?: number;
  /** a new session after this many minutes without a call (default 30) */
  sessionMinutes?: number;
}

/** Segment e-commerce v2 product properties. */
export interface Product {
  product_id?: string;
  sku?: string;
  category?: string;
  name?: string;
  brand?: string;
  variant?: string;
  price?: number;
  quantity?: number;
  coupon?: string;
  position?: number;
  url?: string;
  image_url?: string;
  currency?: string;
  [property: string]: unknown;
}

/** Segment e-commerce v2 order / checkout properties. */
export interface Order {
  order_id?: string;
  checkout_id?: string;
  cart_id?: string;
  affiliation?: string;
  total?: number;
  subtotal?: number;
  revenue?: number;
  shipping?: number;
  tax?: number;
  discount?: number;
  coupon?: string;
  currency?: string;
  products?: Product[];
  [property: string]: unknown;
}
