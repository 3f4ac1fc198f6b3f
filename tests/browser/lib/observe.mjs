// Records every request the pixel attempts: the sandbox reports each beacon and fetch call as it
// happens (through a binding that outlives navigation), and the network layer adds HTTP statuses
// for beacons, whose API only says whether the browser queued them.

function parseBatch(body) {
  try {
    const parsed = JSON.parse(body);
    return Array.isArray(parsed.batch) ? parsed : null;
  } catch {
    return null;
  }
}

/** Outcomes that mean the body was handed to the network. */
const DELIVERED = new Set(['ok', 'unobserved_after_unload']);

export async function observeRequests(page, endpoint) {
  const attempts = [];
  const fetches = new Map(); // sandbox fetch number -> attempt
  const beaconStatus = new Map(); // body -> HTTP status seen by the network layer
  const listeners = new Set();
  const errors = [];
  let left = false;
  const changed = () => listeners.forEach((fn) => fn());

  await page.exposeBinding('segopsReportAttempt', (_source, report) => {
    if (report.kind === 'error') {
      errors.push(report.message);
      return;
    }
    if (report.kind === 'fetch-outcome') {
      const attempt = fetches.get(report.n);
      if (attempt) {
        // A keepalive fetch the browser refuses (budget spent) is followed by a plain one.
        attempt.outcome = report.ok ? 'ok' : attempt.transport === 'fetch-keepalive' ? 'refused' : 'failed';
        attempt.status = report.status;
        attempt.error = report.error;
      }
      changed();
      return;
    }
    if (!report.url.startsWith(endpoint)) return;
    const attempt = {
      transport: report.kind,
      bytes: Buffer.byteLength(report.body),
      outcome: 'pending',
      status: null,
      error: null,
      body: report.body,
      parsed: parseBatch(report.body),
    };
    if (report.kind === 'beacon') {
      if (!report.queued) attempt.outcome = 'refused';
      else if (beaconStatus.has(report.body)) settleBeacon(attempt, beaconStatus.get(report.body));
    } else {
      fetches.set(report.n, attempt);
    }
    attempts.push(attempt);
    changed();
  });

  function settleBeacon(attempt, status) {
    attempt.status = status;
    attempt.outcome = status !== null && status < 400 ? 'ok' : 'failed';
  }

  page.on('requestfinished', async (request) => {
    if (request.resourceType() !== 'ping' || !request.url().startsWith(endpoint)) return;
    const response = await request.response().catch(() => null);
    const body = request.postData() || '';
    beaconStatus.set(body, response ? response.status() : null);
    for (const a of attempts) {
      if (a.transport === 'beacon' && a.outcome === 'pending' && a.body === body) settleBeacon(a, beaconStatus.get(body));
    }
    changed();
  });

  /**
   * Chromium finishes requests that outlive their page in the browser process, where no event
   * reports them: after the page has left, they count as delivered but unobserved.
   */
  function pageLeft() {
    left = true;
    for (const a of attempts) if (a.outcome === 'pending') a.outcome = 'unobserved_after_unload';
    changed();
  }

  /** Resolves true when `done(attempts)` holds, or false at the deadline. */
  function waitUntil(done, timeoutMs) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const check = () => done(attempts) && finish(true);
      function finish(result) {
        clearTimeout(timer);
        listeners.delete(check);
        resolve(result);
      }
      listeners.add(check);
      check();
    });
  }

  return {attempts, errors, waitUntil, pageLeft, hasLeft: () => left};
}

/** Every wire event in bodies that reached the network, in order. */
export function sentEvents(attempts) {
  return attempts.filter((a) => DELIVERED.has(a.outcome) && a.parsed).flatMap((a) => a.parsed.batch);
}
