// The pixel's behaviour behind `register`: consent gate, event filter, sampling, batching, flushing.

import {createSampler} from './sampling';
import {deliver} from './transport';
import {MAX_BODY_BYTES, envelopeBytes, packBodies, utf8Length, wireEvent} from './wire';

/** Never sampled out: an order is the event a merchant can least afford to lose. */
const ALWAYS_SENT = 'checkout_completed';

/**
 * `config` comes from readSettings; `consent` is Shopify's customerPrivacy shape; `browser` is the
 * sandbox's browser API; `fetchFn` the worker's fetch.
 */
export function createPixel({config, consent, browser, fetchFn}) {
  const sampled = createSampler(config.sampleRate);
  const room = MAX_BODY_BYTES - envelopeBytes(config.key) - 1;
  const enabled = config.key !== '' && config.endpoint !== '';
  let privacy = {...consent};
  let queue = [];
  let timer = null;

  function flush() {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (queue.length === 0) return [];
    const items = queue;
    queue = [];
    const bodies = packBodies(config.key, new Date().toISOString(), items);
    return bodies.map((body) => deliver(browser, fetchFn, config.endpoint, body));
  }

  function track(event) {
    if (!enabled || !event || privacy.analyticsProcessingAllowed !== true) return;
    if (event.name !== ALWAYS_SENT && !sampled(event.clientId)) return;
    const json = JSON.stringify(wireEvent(event, privacy));
    const bytes = utf8Length(json);
    // Truncated JSON would be worse than nothing; an event this large is dropped whole.
    if (bytes >= room) return;
    queue.push({json, bytes});
    if (event.name === ALWAYS_SENT) {
      flush();
    } else if (timer === null) {
      // Events published together land in one batch; the next task is soon enough to beat unload.
      timer = setTimeout(flush, 0);
    }
  }

  /** Consent withdrawn mid-page also discards what was queued under the old answer. */
  function setConsent(next) {
    privacy = {...privacy, ...next};
    if (privacy.analyticsProcessingAllowed !== true) {
      queue = [];
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
      }
    }
  }

  return {track, setConsent, flush};
}
