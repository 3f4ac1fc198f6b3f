// The scenarios pixel.mjs can run. Each drives the page through `h` (see run.mjs) and returns what
// must reach the endpoint: `expected` ids, ids that `may` arrive, and named `checks` over what did.
import {CONSENT_DENIED, CONSENT_GRANTED} from './visitors.mjs';

const SUPPORTED = new Set([
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
]);

const ids = (events) => events.map((e) => e.id);
const supported = (events) => events.filter((e) => SUPPORTED.has(e.name));

/** The wire consent block for a customerPrivacy answer. */
function wireConsent(p) {
  return {
    analytics: p.analyticsProcessingAllowed,
    marketing: p.marketingAllowed,
    preferences: p.preferencesProcessingAllowed,
    sale_of_data: p.saleOfDataAllowed,
  };
}

function sameConsent(sent, privacy) {
  const want = JSON.stringify(wireConsent(privacy));
  return sent.length > 0 && sent.every((e) => JSON.stringify(e.consent) === want);
}

export const SCENARIOS = {
  /** Consent granted: every supported fixture event is sent, with its context and data intact. */
  async 'all-events'(h) {
    const visitor = await h.visitor({consent: CONSENT_GRANTED});
    const events = h.stamp(visitor);
    await h.publish(visitor, events);
    await h.settle();
    const byId = new Map(events.map((e) => [e.id, e]));
    return {
      published: events,
      expected: ids(supported(events)),
      checks: (sent) => ({
        subscribed_to_all_supported: visitor.subscribed.length === SUPPORTED.size,
        consent_block_matches_visitor: sameConsent(sent, CONSENT_GRANTED),
        fields_copied_from_events: sent.every((w) => {
          const e = byId.get(w.id);
          return (
            e &&
            w.name === e.name &&
            w.timestamp === e.timestamp &&
            w.client_id === e.clientId &&
            w.seq === e.seq &&
            w.context.url === e.context.document.location.href &&
            w.context.referrer === e.context.document.referrer &&
            w.context.title === e.context.document.title &&
            JSON.stringify(w.data) === JSON.stringify(e.data)
          );
        }),
      }),
    };
  },

  /** Analytics declined at load and again at run time: nothing leaves the page. */
  async 'no-consent'(h) {
    const visitor = await h.visitor({consent: CONSENT_DENIED});
    const before = h.stamp(visitor);
    await h.publish(visitor, before);
    await h.settle();
    await h.consent(visitor, {...CONSENT_DENIED, marketingAllowed: true});
    const after = h.stamp(visitor);
    await h.publish(visitor, after);
    await h.settle();
    return {published: [...before, ...after], expected: [], checks: () => ({})};
  },

  /** Declined at load, granted at run time: only events after the grant are sent. */
  async 'consent-later'(h) {
    const visitor = await h.visitor({consent: CONSENT_DENIED});
    const before = h.stamp(visitor);
    await h.publish(visitor, before);
    await h.settle();
    const requestsBeforeConsent = h.requests().length;
    await h.consent(visitor, CONSENT_GRANTED);
    const after = h.stamp(visitor);
    await h.publish(visitor, after);
    await h.settle();
    return {
      published: [...before, ...after],
      expected: ids(supported(after)),
      checks: (sent) => ({
        nothing_sent_before_consent: requestsBeforeConsent === 0,
        consent_block_is_the_granted_one: sameConsent(sent, CONSENT_GRANTED),
      }),
    };
  },

  /**
   * Rate 0 sends only checkout_completed; an `events` filter sends only the listed events; at rate
   * 0.5 each visitor is wholly in or out, and both kinds occur.
   */
  async sampling(h) {
    const published = [];
    const expected = [];
    const may = [];
    const halfVisitors = new Set();

    for (let i = 0; i < 12; i++) {
      const visitor = await h.visitor({consent: CONSENT_GRANTED, sampleRate: '0'});
      const events = h.stamp(visitor);
      await h.publish(visitor, events);
      published.push(...events);
      expected.push(...ids(events.filter((e) => e.name === 'checkout_completed')));
    }

    const filter = ['page_viewed', 'product_added_to_cart', 'checkout_completed'];
    const filtered = await h.visitor({consent: CONSENT_GRANTED, events: ` ${filter.join(' , ')} `});
    const filteredEvents = h.stamp(filtered);
    await h.publish(filtered, filteredEvents);
    published.push(...filteredEvents);
    expected.push(...ids(filteredEvents.filter((e) => filter.includes(e.name))));

    for (let i = 0; i < 24; i++) {
      const visitor = await h.visitor({consent: CONSENT_GRANTED, sampleRate: '0.5'});
      halfVisitors.add(visitor.clientId);
      const events = h.stamp(visitor);
      await h.publish(visitor, events);
      published.push(...events);
      expected.push(...ids(events.filter((e) => e.name === 'checkout_completed')));
      may.push(...ids(supported(events)));
    }
    await h.settle();

    return {
      published,
      expected,
      may,
      checks: (sent) => {
        const perVisitor = new Map();
        for (const e of sent) {
          if (halfVisitors.has(e.client_id)) perVisitor.set(e.client_id, (perVisitor.get(e.client_id) || 0) + 1);
        }
        const counts = [...perVisitor.values()];
        return {
          half_rate_visitors_all_in_or_out: counts.every((n) => n === 1 || n === SUPPORTED.size),
          half_rate_some_visitors_in: counts.some((n) => n === SUPPORTED.size),
          half_rate_some_visitors_out: counts.some((n) => n === 1),
          filter_subscribed_only_listed: filtered.subscribed.length === filter.length,
        };
      },
    };
  },

  /**
   * Big, multi-byte events: bodies are split below 64 KiB by UTF-8 size (the second large body
   * exceeds the page's beacon budget, so keepalive fetch carries it), and an event too big for any
   * body is dropped whole.
   */
  async 'large-batches'(h) {
    const visitor = await h.visitor({consent: CONSENT_GRANTED});
    const template = h.stamp(visitor).find((e) => e.name === 'product_viewed');
    const events = [];
    for (let i = 0; i < 40; i++) {
      const e = h.stamp(visitor).find((x) => x.name === 'product_viewed');
      // 1,000 snowmen are 1,000 UTF-16 units but 3,000 UTF-8 bytes.
      e.data.productVariant.product.title = `${template.data.productVariant.product.title} ${i} ${'\u2603'.repeat(1000)}`;
      events.push(e);
    }
    const huge = h.stamp(visitor).find((x) => x.name === 'product_viewed');
    huge.data.productVariant.product.title = 'x'.repeat(70_000);
    events.splice(20, 0, huge);
    await h.publish(visitor, events);
    await h.settle();
    return {
      published: events,
      expected: ids(events.filter((e) => e !== huge)),
      checks: (sent, requests) => ({
        oversized_event_dropped: !sent.some((e) => e.id === huge.id),
        split_into_several_bodies: requests.length > 1,
        titles_arrive_whole: sent.every((e) => e.data.productVariant.product.title.endsWith('\u2603'.repeat(1000))),
      }),
    };
  },

  /** The page navigates away in the same task that published: the batch must still arrive. */
  async unload(h) {
    const visitor = await h.visitor({consent: CONSENT_GRANTED});
    const events = h.stamp(visitor);
    const ttfb = await h.publishThenLeave(visitor, events);
    return {published: events, expected: ids(supported(events)), checks: () => ({}), details: {navigation_ttfb_ms: ttfb}};
  },
};
