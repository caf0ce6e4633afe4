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

export const product = z.looseObject({
  product_id: id.optional(),
  sku: id.optional(),
  category: z.string().optional(),
  name: z.string().optional(),
  brand: z.string().optional(),
  variant: z.string().optional(),
  price: money.optional(),
  quantity: count.optional(),
  coupon: z.string().optional(),
  position: count.optional(),
  url: z.string().optional(),
  image_url: z.string().optional(),
});

export const ecommerceProperties = z.looseObject({
  product_id: id.optional(),
  sku: id.optional(),
  category: z.string().optional(),
  brand: z.string().optional(),
  price: money.optional(),
  quantity: count.optional(),
  order_id: id.optional(),
  checkout_id: id.optional(),
  cart_id: id.optional(),
  revenue: money.optional(),
  total: money.optional(),
  subtotal: money.optional(),
  discount: money.optional(),
  shipping: money.optional(),
  tax: money.optional(),
  coupon: z.string().optional(),
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO 4217 code').optional(),
  query: z.string().max(1000).optional(),
  rating: z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)]).pipe(z.number().min(0).max(5)).optional(),
  review_body: z.string().max(10_000).optional(),
  share_via: z.string().optional(),
  share_message: z.string().optional(),
  recipient: id.optional(),
  products: z.array(product, { error: 'must be an array of products' }).max(1000).optional(),
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
