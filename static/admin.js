// Shared by every embedded admin page (loaded from admin/base.html): session-token authenticated
// calls to /admin/api and toasts that confirm what a merchant changed. Inside the Shopify admin,
// App Bridge supplies fresh session tokens and draws its own toasts; without it (the demo, tests,
// a blocked CDN) the page's own token and an in-page toast stand in. Plain DOM, no framework.
(function () {
  'use strict';

  const AUTO_HIDE_MS = 5000;
  const PENDING_KEY = 'segops:toast';

  function appBridge() {
    return typeof window.shopify === 'object' && window.shopify !== null ? window.shopify : null;
  }

  function pageToken() {
    const main = document.getElementById('content');
    return main ? main.dataset.idToken || '' : '';
  }

  // Session tokens live one minute: App Bridge hands out a fresh one for every call; the page's
  // own token is the fallback.
  async function sessionToken() {
    const bridge = appBridge();
    if (bridge && typeof bridge.idToken === 'function') {
      try {
        return await bridge.idToken();
      } catch (_) {
        // App Bridge present but not connected to an admin: fall back.
      }
    }
    return pageToken();
  }

  // `fetch` with the session token; resolves to {ok, status, body} where body is the parsed JSON
  // answer (or {} when there is none). Network failures resolve too, with status 0.
  async function api(path, options) {
    const opts = options || {};
    const headers = {Authorization: 'Bearer ' + (await sessionToken())};
    let body;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let response;
    try {
      response = await fetch(path, {method: opts.method || 'GET', headers: headers, body: body});
    } catch (error) {
      return {ok: false, status: 0, body: {error: 'SegOps could not be reached; check the connection and try again'}, response: null};
    }
    if (opts.raw) return {ok: response.ok, status: response.status, body: null, response: response};
    const parsed = await response.json().catch(function () { return {}; });
    return {ok: response.ok, status: response.status, body: parsed || {}, response: response};
  }

  function region(id) {
    let el = document.getElementById(id);
    if (!el) {
      // A page that does not extend admin/base.html: make the region on the fly.
      el = document.createElement('div');
      el.id = id;
      el.setAttribute('role', id === 'toasts-alert' ? 'alert' : 'status');
      el.setAttribute('aria-live', id === 'toasts-alert' ? 'assertive' : 'polite');
      document.body.append(el);
    }
    return el;
  }

  // Confirmations hide themselves; errors stay until the merchant closes them, so they cannot be
  // missed.
  function fallbackToast(message, isError) {
    const toast = document.createElement('div');
    toast.className = isError ? 'toast toast-error' : 'toast';
    const text = document.createElement('span');
    text.className = 'toast-message';
    text.textContent = message;
    toast.append(text);
    if (isError) {
      const close = document.createElement('button');
      close.type = 'button';
      close.className = 'toast-close';
      close.setAttribute('aria-label', 'Dismiss notification');
      close.textContent = '×';
      close.addEventListener('click', function () { toast.remove(); });
      toast.append(close);
      region('toasts-alert').append(toast);
    } else {
      region('toasts-status').append(toast);
      setTimeout(function () { toast.remove(); }, AUTO_HIDE_MS);
    }
    return toast;
  }

  function toast(message, options) {
    const isError = Boolean(options && options.error);
    const bridge = appBridge();
    if (bridge && bridge.toast && typeof bridge.toast.show === 'function') {
      bridge.toast.show(message, {isError: isError, duration: AUTO_HIDE_MS});
      return;
    }
    fallbackToast(message, isError);
  }

  function error(message) {
    toast(message, {error: true});
  }

  // For actions that reload the page to show their result: the toast is shown on the next load.
  function reloadWithToast(message) {
    try {
      sessionStorage.setItem(PENDING_KEY, message);
    } catch (_) {
      // Storage refused (private mode): the reload alone shows the change.
    }
    window.location.reload();
  }

  function showPending() {
    let message = null;
    try {
      message = sessionStorage.getItem(PENDING_KEY);
      sessionStorage.removeItem(PENDING_KEY);
    } catch (_) {
      return;
    }
    if (message) toast(message);
  }

  window.segops = {api: api, toast: toast, error: error, reloadWithToast: reloadWithToast, sessionToken: sessionToken};
  showPending();
})();
