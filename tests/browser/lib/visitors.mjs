// What the pixel manager adds around a fixture payload: a visitor, fresh event ids, time and order.
import {randomUUID} from 'node:crypto';

export const CONSENT_GRANTED = Object.freeze({
  analyticsProcessingAllowed: true,
  marketingAllowed: false,
  preferencesProcessingAllowed: true,
  saleOfDataAllowed: false,
});

export const CONSENT_DENIED = Object.freeze({
  analyticsProcessingAllowed: false,
  marketingAllowed: false,
  preferencesProcessingAllowed: false,
  saleOfDataAllowed: false,
});

/** A signed-in customer in `init`: none of these values may ever appear in a request. */
export const SIGNED_IN_CUSTOMER = Object.freeze({
  id: 'gid://shopify/Customer/7745390821481',
  email: 'harness.shopper@segops-harness.example',
  firstName: 'Harness',
  lastName: 'Shopper',
  phone: '+16135550123',
  ordersCount: 3,
});

const SHOP = {
  name: 'pixel-testing-rs',
  myshopifyDomain: 'store.myshopify.com',
  countryCode: 'US',
  storefrontUrl: 'https://store.myshopify.com',
  paymentSettings: {currencyCode: 'USD'},
};

/**
 * Each run gets new event ids and client ids (as the pixel manager makes), so runs never collide
 * in an intake that dedupes by event id; names, context and data stay the fixture's.
 */
export function stampEvents(fixtures, clientId, firstSeq = 1) {
  return fixtures.map((fixture, i) => ({
    ...structuredClone(fixture),
    id: `sh-${randomUUID()}`,
    clientId,
    timestamp: new Date().toISOString(),
    seq: firstSeq + i,
  }));
}

/** The `init` Shopify passes to `register`, built around the first fixture's page context. */
export function initFor(fixtures, customerPrivacy) {
  const {document, navigator, window} = fixtures[0].context;
  return {
    context: {document, navigator, window},
    data: {customer: {...SIGNED_IN_CUSTOMER}, cart: null, shop: SHOP, purchasingCompany: null},
    customerPrivacy: {...customerPrivacy},
  };
}

export function newClientId() {
  return randomUUID();
}
