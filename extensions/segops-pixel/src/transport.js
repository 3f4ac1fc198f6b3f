// Delivers one request body: the sandbox's sendBeacon first, keepalive fetch when it declines.

/**
 * Resolves true once the body was handed to the browser. Neither path reads the response:
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
    await fetchFn(url, {
      method: 'POST',
      body,
      keepalive: true,
      mode: 'no-cors',
      credentials: 'omit',
    });
    return true;
  } catch (_) {
    return false;
  }
}
