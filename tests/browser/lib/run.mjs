// Runs one scenario in headless Chromium against an endpoint and reports what the page observed.
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {launchChromium} from './chromium.mjs';
import {loadPixelEvents} from './fixtures.mjs';
import {observeRequests, sentEvents} from './observe.mjs';
import {SCENARIOS} from './scenarios.mjs';
import {serveHarness} from './server.mjs';
import {SIGNED_IN_CUSTOMER, initFor, newClientId, stampEvents} from './visitors.mjs';

/** How long to wait for expected events after the pixel has settled (or the page has gone). */
const ARRIVAL_TIMEOUT_MS = 10_000;
/**
 * Time to first byte of the page the unload scenario navigates to. A storefront page takes at
 * least this long; an instant localhost answer would unload the page faster than any real store.
 */
export const NAVIGATION_TTFB_MS = 100;
/** How long the browser stays open for beacons that outlived their page (see below). */
const UNLOAD_GRACE_MS = 2_000;

export async function runScenario({endpoint, key, fixturesDir, scenario, screenshotDir, bundlePath}) {
  const play = SCENARIOS[scenario];
  if (!play) throw new Error(`unknown scenario ${scenario}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  const fixtures = loadPixelEvents(fixturesDir);
  const server = await serveHarness(bundlePath);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(String(error.message)));
    const observer = await observeRequests(page, endpoint);
    await page.goto(`${server.url}/index.html`);

    let visitors = 0;
    const nextSeq = new Map();
    const h = {
      requests: () => observer.attempts,
      async visitor({consent, events = '', sampleRate = '1'}) {
        const id = `visitor-${++visitors}`;
        const clientId = newClientId();
        const settings = {publicKey: key, endpoint, events, sampleRate};
        const subscribed = await page.evaluate((opts) => window.harness.start(opts), {
          id,
          settings,
          init: initFor(fixtures, consent),
        });
        return {id, clientId, subscribed};
      },
      stamp(visitor) {
        const first = nextSeq.get(visitor.id) || 1;
        nextSeq.set(visitor.id, first + fixtures.length);
        return stampEvents(fixtures, visitor.clientId, first);
      },
      publish: (visitor, events) => page.evaluate(([id, list]) => window.harness.publish(id, list), [visitor.id, events]),
      consent: (visitor, privacy) => page.evaluate(([id, p]) => window.harness.consent(id, p), [visitor.id, privacy]),
      settle: () => page.evaluate(() => window.harness.settle()),
      async publishThenLeave(visitor, events) {
        await page.evaluate(([id, list, ttfb]) => {
          window.harness.publish(id, list);
          location.href = `/gone.html?ttfb=${ttfb}`;
        }, [visitor.id, events, NAVIGATION_TTFB_MS]);
        await page.waitForURL('**/gone.html?*');
        observer.pageLeft();
        return NAVIGATION_TTFB_MS;
      },
    };

    const plan = await play(h);
    const expected = new Set(plan.expected);
    const allowed = new Set([...plan.expected, ...(plan.may || [])]);
    const arrivedAll = (attempts) => {
      if (attempts.some((a) => a.outcome === 'pending')) return false;
      const sent = new Set(sentEvents(attempts).map((e) => e.id));
      return [...expected].every((id) => sent.has(id));
    };
    const arrivedInTime = await observer.waitUntil(arrivedAll, ARRIVAL_TIMEOUT_MS);

    // A beacon still in flight when the page left is finished by the browser process, where no
    // DevTools event reports it; closing the browser at once could cancel it.
    if (observer.attempts.some((a) => a.outcome === 'unobserved_after_unload')) {
      await new Promise((resolve) => setTimeout(resolve, UNLOAD_GRACE_MS));
    }
    if (screenshotDir) {
      mkdirSync(screenshotDir, {recursive: true});
      await page.screenshot({path: join(screenshotDir, `pixel-${scenario}.png`), fullPage: true});
    }
    return report({scenario, endpoint, plan, expected, allowed, arrivedInTime, observer, pageErrors});
  } finally {
    await browser.close();
    await server.close();
  }
}

function report({scenario, endpoint, plan, expected, allowed, arrivedInTime, observer, pageErrors}) {
  const errors = [...pageErrors, ...observer.errors];
  const requests = observer.attempts;
  const delivered = requests.filter((r) => r.outcome === 'ok' || r.outcome === 'unobserved_after_unload');
  const sent = sentEvents(requests);
  const sentIds = sent.map((e) => e.id);
  const counts = {};
  for (const e of sent) counts[e.name] = (counts[e.name] || 0) + 1;
  const secrets = [SIGNED_IN_CUSTOMER.email, SIGNED_IN_CUSTOMER.id, SIGNED_IN_CUSTOMER.phone];
  const checks = {
    expected_events_arrived: arrivedInTime,
    only_allowed_events_sent: sentIds.every((id) => allowed.has(id)),
    no_event_sent_twice: new Set(sentIds).size === sentIds.length,
    bodies_parse_as_batches: requests.every((r) => r.parsed !== null),
    nothing_failed: requests.every((r) => r.outcome !== 'failed' && r.outcome !== 'pending'),
    bodies_under_64_kib: requests.every((r) => r.bytes < 65536),
    no_customer_fields_sent: requests.every((r) => secrets.every((s) => !r.body.includes(s))),
    no_page_errors: errors.length === 0,
    ...plan.checks(sent, delivered),
  };
  return {
    scenario,
    endpoint,
    ok: checks.nothing_failed,
    matches_expected: Object.values(checks).every(Boolean),
    checks,
    published: plan.published.length,
    visitors: [...new Set(plan.published.map((e) => e.clientId))].length,
    attempted: requests.length,
    succeeded: requests.filter((r) => r.outcome === 'ok').length,
    refused: requests.filter((r) => r.outcome === 'refused').length,
    failed: requests.filter((r) => r.outcome === 'failed').length,
    pending: requests.filter((r) => r.outcome === 'pending').length,
    unobserved_after_unload: requests.filter((r) => r.outcome === 'unobserved_after_unload').length,
    requests: requests.map(({transport, bytes, outcome, status, error, parsed}) => ({
      transport,
      bytes,
      outcome,
      status,
      error,
      events: parsed ? parsed.batch.length : 0,
    })),
    sent_events: counts,
    expected_event_ids: [...expected],
    sent_event_ids: sentIds,
    page_errors: errors,
    ...plan.details,
  };
}
