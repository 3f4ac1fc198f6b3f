// Reads the merchant-facing settings (all strings, as Shopify stores them) into what the pixel uses.

/** Standard events the pixel knows how to forward. */
export const SUPPORTED_EVENTS = [
  'page_viewed',
  'product_viewed',
  'collection_viewed',
  'search_submitted',
  'product_added_to_cart',
  'product_removed_from_cart',
  'cart_viewed',
  'checkout_started',
  'checkout_contact_info_submitted',
  'checkout_shipping_info_submitted',
  'payment_info_submitted',
  'checkout_completed',
];

const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * Sampling is a cost knob, not a privacy control, so a missing or unreadable rate keeps every
 * visitor rather than silently dropping a shop's data.
 */
export function parseSampleRate(raw) {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (!DECIMAL.test(text)) return 1;
  return Math.min(1, Number(text));
}

/** Unknown names are ignored; an empty list enables every supported event. */
export function parseEvents(raw) {
  const wanted = (typeof raw === 'string' ? raw : '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (wanted.length === 0) return SUPPORTED_EVENTS.slice();
  return SUPPORTED_EVENTS.filter((name) => wanted.includes(name));
}

export function readSettings(settings) {
  const s = settings || {};
  return {
    key: typeof s.publicKey === 'string' ? s.publicKey.trim() : '',
    endpoint: typeof s.endpoint === 'string' ? s.endpoint.trim() : '',
    events: parseEvents(s.events),
    sampleRate: parseSampleRate(s.sampleRate),
  };
}
