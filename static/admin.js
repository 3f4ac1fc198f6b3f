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

  // Inside the Shopify admin: its title bar shows the page's title, back link and primary
  // action (each click forwarded to the in-page element, so there is one behaviour), and its
  // sidebar (ui-nav-menu) replaces the in-page tabs; CSS hides both for sighted users.
  function adoptAdminChrome() {
    document.documentElement.classList.add('app-bridge');
    const header = document.querySelector('.page-header');
    if (!header || document.querySelector('ui-title-bar')) return;
    const bar = document.createElement('ui-title-bar');
    const heading = header.querySelector('h1');
    bar.setAttribute('title', heading ? heading.textContent.replace(/\s+/g, ' ').trim() : document.title);
    const forward = function (variant, target, label) {
      const button = document.createElement('button');
      button.setAttribute('variant', variant);
      button.textContent = label;
      button.addEventListener('click', function () { target.click(); });
      bar.append(button);
    };
    const back = header.querySelector('.back-link');
    if (back) forward('breadcrumb', back, back.textContent.replace(/^\s*‹\s*/, '').trim());
    const primary = header.querySelector('.page-actions .button-primary');
    if (primary) forward('primary', primary, primary.textContent.trim());
    document.body.append(bar);
  }

  // Links between our pages carry the token the page was served with, which lives one minute:
  // with App Bridge, a click swaps in a fresh one. (Without it there is no fresher token; a
  // stale one inside the admin is bounced for a new one by the server.)
  function freshTokenLinks() {
    document.addEventListener('click', function (event) {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
      if (!link || link.target) return;
      const target = new URL(link.href, window.location.href);
      if (target.origin !== window.location.origin || !target.searchParams.has('id_token')) return;
      if (target.pathname === window.location.pathname && target.search === window.location.search) return;
      event.preventDefault();
      sessionToken().then(function (token) {
        if (token) target.searchParams.set('id_token', token);
        window.location.assign(target.toString());
      });
    });
  }

  if (appBridge()) {
    adoptAdminChrome();
    freshTokenLinks();
  }

  window.segops = {api: api, toast: toast, error: error, reloadWithToast: reloadWithToast, sessionToken: sessionToken};
  showPending();
})();
