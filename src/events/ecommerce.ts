import { z } from 'zod';

/**
 * Segment e-commerce v2 property types. They apply to every track event: `revenue` means the same
 * thing wherever it appears, so a wrong type is an error whatever the event is called. Unknown
 * properties pass through untouched.
 */
const numeric = z.union([
  z.number().refine(Number.isFinite, 'must be a finite number'),
  z
    .string()
    .regex(/^\s*-?\d+(\.\d+)?\s*$/, 'must be a number')
    .transform(Number),
], { error: 'must be a number' });
const money = numeric;
const count = z.union([z.number().int().min(0), z.string().regex(/^\d+$/).transform(Number)], {
  error: 'must be a whole number ≥ 0',
});
const id = z.union([z.string(), z.number().transform(String)], { error: 'must be a string' });
/** Optional, and null counts as absent: SDKs send `"coupon": null` for "no coupon". */
const opt = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === null ? undefined : v), s.optional());

export const product = z.looseObject({
  product_id: opt(id),
  sku: opt(id),
  category: opt(z.string()),
  name: opt(z.string()),
  brand: opt(z.string()),
  variant: opt(z.string()),
  price: opt(money),
  quantity: opt(count),
  coupon: opt(z.string()),
  position: opt(count),
  url: opt(z.string()),
  image_url: opt(z.string()),
});

export const ecommerceProperties = z.looseObject({
  product_id: opt(id),
  sku: opt(id),
  category: opt(z.string()),
  brand: opt(z.string()),
  price: opt(money),
  quantity: opt(count),
  order_id: opt(id),
  checkout_id: opt(id),
  cart_id: opt(id),
  revenue: opt(money),
  total: opt(money),
  subtotal: opt(money),
  discount: opt(money),
  shipping: opt(money),
  tax: opt(money),
  coupon: opt(z.string()),
  currency: opt(z.string().regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO 4217 code')),
  query: opt(z.string().max(1000)),
  rating: opt(z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)]).pipe(z.number().min(0).max(5))),
  review_body: opt(z.string().max(10_000)),
  share_via: opt(z.string()),
  share_message: opt(z.string()),
  recipient: opt(id),
  products: opt(z.array(product, { error: 'must be an array of products' }).max(1000)),
});

export type EcommerceProperties = z.infer<typeof ecommerceProperties>;
export type Product = z.infer<typeof product>;

/** The e-commerce v2 event names the platform understands natively (others are stored as well). */
export const ecommerceEvents = [
  'Products Searched',
  'Product List Viewed',
  'Product List Filtered',
  'Product Clicked',
  'Product Viewed',
  'Product Added',
  'Product Removed',
  'Cart Viewed',
  'Checkout Started',
  'Checkout Step Viewed',
  'Checkout Step Completed',
  'Payment Info Entered',
  'Order Updated',
  'Order Completed',
  'Order Refunded',
  'Order Cancelled',
  'Coupon Entered',
  'Coupon Applied',
  'Coupon Denied',
  'Coupon Removed',
  'Product Added to Wishlist',
  'Product Removed from Wishlist',
  'Product Shared',
  'Cart Shared',
  'Product Reviewed',
  'Promotion Viewed',
  'Promotion Clicked',
] as const;
