// Delivers one request body: the sandbox's sendBeacon first, keepalive fetch when it declines,
// plain fetch when the browser's keepalive budget is spent.

const FETCH_OPTIONS = {method: 'POST', mode: 'no-cors', credentials: 'omit'};

/**
 * Resolves true once the body was handed to the browser. Neither fetch reads the response:
 * `no-cors` keeps delivery independent of the intake's CORS headers, and `omit` keeps the
 * visitor's cookies out of the request.
 */
export async function deliver(browser, fetchFn, url, body) {
  if (browser && typeof browser.sendBeacon === 'function') {
    try {
      if (await browser.sendBeacon(url, body)) return true;
    } catch (_) {
      // A sandbox without a working beacon still has fetch.
    }
  }
  if (typeof fetchFn !== 'function') return false;
  try {
    await fetchFn(url, {...FETCH_OPTIONS, body, keepalive: true});
    return true;
  } catch (_) {
    // Browsers refuse keepalive bodies past 64 KiB in flight per page, before sending anything;
    // while the page lives, an ordinary request still delivers the batch.
  }
  try {
    await fetchFn(url, {...FETCH_OPTIONS, body});
    return true;
  } catch (_) {
    return false;
  }
}
