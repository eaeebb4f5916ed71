/* hosted.js: Gatehouse's hosted pages (/sign-in, /sign-up, /user,
 * /organization, /create-organization). The page has loaded Clerk's own
 * clerk.browser.js (which made window.Clerk from the data attributes) and
 * ui.browser.js (window.__internal_ClerkUICtor) from this same origin; this
 * script loads Clerk and mounts the component the page is for. Settings come
 * from data attributes on <body>, already checked by the server: data-redirect
 * is an allowlisted URL or a path on this origin. */
(function () {
  'use strict';
  var cfg = document.body.dataset;
  var clerk = window.Clerk;
  var el = document.getElementById('gh-main');
  var bar = document.getElementById('gh-bar');
  var target = cfg.redirect || '/user';
  /* clerk-js gets same-origin targets only; another origin's goes through
   * /redirect, which re-checks the allowlist and answers 303. */
  var redirect = target.charAt(0) === '/' ? target
    : '/redirect?redirect_url=' + encodeURIComponent(target);

  function go(url) { window.location.assign(url); }

  function signInFirst() {
    go(cfg.signInUrl + '?redirect_url=' + encodeURIComponent(window.location.pathname));
  }

  function fail(e) {
    el.textContent = 'Could not load sign-in: ' + (e && e.message ? e.message : String(e));
    el.setAttribute('data-state', 'error');
  }

  if (!clerk || !window.__internal_ClerkUICtor) {
    fail(new Error('the Clerk bundles did not load'));
    return;
  }
  clerk.load({
    ui: { ClerkUI: window.__internal_ClerkUICtor },
    telemetry: false,
    signInUrl: cfg.signInUrl,
    signUpUrl: cfg.signUpUrl,
    signInFallbackRedirectUrl: redirect,
    signUpFallbackRedirectUrl: redirect,
    afterSignOutUrl: cfg.signInUrl,
  }).then(function () {
    var signedIn = !!clerk.user;
    el.setAttribute('data-state', 'ready');
    if (signedIn && bar) {
      clerk.mountUserButton(bar.appendChild(document.createElement('div')),
        { afterSignOutUrl: cfg.signInUrl });
      if (cfg.orgs === '1')
        clerk.mountOrganizationSwitcher(bar.appendChild(document.createElement('div')),
          { afterSelectOrganizationUrl: cfg.orgUrl, afterCreateOrganizationUrl: cfg.orgUrl });
    }
    switch (cfg.component) {
    case 'sign-in':
      if (signedIn) return go(redirect);
      return clerk.mountSignIn(el, { routing: 'path', path: cfg.signInUrl, signUpUrl: cfg.signUpUrl,
        fallbackRedirectUrl: redirect });
    case 'sign-up':
      if (signedIn) return go(redirect);
      return clerk.mountSignUp(el, { routing: 'path', path: cfg.signUpUrl, signInUrl: cfg.signInUrl,
        fallbackRedirectUrl: redirect });
    case 'user':
      if (!signedIn) return signInFirst();
      return clerk.mountUserProfile(el, { routing: 'path', path: cfg.userUrl });
    case 'organization':
      if (!signedIn) return signInFirst();
      if (!clerk.organization)
        return clerk.mountOrganizationList(el, { afterSelectOrganizationUrl: cfg.orgUrl,
          afterCreateOrganizationUrl: cfg.orgUrl, hidePersonal: true });
      return clerk.mountOrganizationProfile(el, { routing: 'path', path: cfg.orgUrl });
    case 'create-organization':
      if (!signedIn) return signInFirst();
      return clerk.mountCreateOrganization(el, { routing: 'path', path: cfg.createOrgUrl,
        afterCreateOrganizationUrl: cfg.orgUrl });
    }
  }, fail);
})();
