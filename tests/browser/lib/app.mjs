// app.mjs: the tiny web app the browser tests drive, on its own loopback port
// (a different origin from Gatehouse, as a real app is). Every page loads
// Clerk's unmodified bundles from Gatehouse's /npm/… URLs, the vanilla Core-3
// way (spec §1.5): clerk.browser.js with data-clerk-publishable-key and
// data-clerk-proxy-url creates window.Clerk; ui.browser.js defines
// window.__internal_ClerkUICtor; then Clerk.load({ui: {ClerkUI}}). The path
// picks the component mounted in #mount:
//
//   /              UserButton + OrganizationSwitcher (signed in) and #state
//   /sign-in/…     <SignIn/>            /sign-up/…     <SignUp/>
//   /user/…        <UserProfile/>       /create-org/…  <CreateOrganization/>
//   /org/…         <OrganizationProfile/>
//   /smoke         the two scripts only, without Clerk.load()
//
// #state (and window.__ghState()) shows what clerk-js believes: status, user,
// session, active organization. Plain node:http; no bundler, no framework.
import { createServer } from 'node:http';

export const CLERK_JS_VERSION = '6.40.0';
export const CLERK_UI_VERSION = '1.36.0';

const MOUNTS = {
  'sign-in': 'SignIn',
  'sign-up': 'SignUp',
  user: 'UserProfile',
  'create-org': 'CreateOrganization',
  org: 'OrganizationProfile',
};

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The bundle URLs on Gatehouse's frontend listener. */
export function bundleUrls(frontendUrl) {
  return {
    clerkJs: `${frontendUrl}/npm/@clerk/clerk-js@${CLERK_JS_VERSION}/dist/clerk.browser.js`,
    clerkUi: `${frontendUrl}/npm/@clerk/ui@${CLERK_UI_VERSION}/dist/ui.browser.js`,
  };
}

// Runs in the page. Kept free of template substitutions: configuration comes
// from data attributes, so this is plain JS that could live in a .js file.
const APP_JS = String.raw`
(function () {
  const cfg = document.body.dataset;
  const $ = (id) => document.getElementById(id);
  const clerk = window.Clerk;
  window.__ghState = () => ({
    status: clerk.status,
    loaded: clerk.loaded,
    signedIn: !!clerk.user,
    userId: clerk.user ? clerk.user.id : null,
    firstName: clerk.user ? clerk.user.firstName : null,
    lastName: clerk.user ? clerk.user.lastName : null,
    email: clerk.user && clerk.user.primaryEmailAddress ? clerk.user.primaryEmailAddress.emailAddress : null,
    sessionId: clerk.session ? clerk.session.id : null,
    orgId: clerk.organization ? clerk.organization.id : null,
    orgName: clerk.organization ? clerk.organization.name : null,
  });
  window.__ghToken = (opts) => (clerk.session ? clerk.session.getToken(opts) : Promise.resolve(null));
  const show = () => {
    const s = window.__ghState();
    $('state').textContent = JSON.stringify(s);
    $('state').dataset.signedIn = String(s.signedIn);
    $('state').dataset.status = String(s.status);
  };
  window.__ghReady = clerk.load({
    ui: { ClerkUI: window.__internal_ClerkUICtor },
    telemetry: false,
    signInUrl: '/sign-in',
    signUpUrl: '/sign-up',
    signInFallbackRedirectUrl: '/',
    signUpFallbackRedirectUrl: '/',
    afterSignOutUrl: '/',
  }).then(() => {
    clerk.addListener(show);
    show();
    const el = $('mount');
    switch (cfg.mount) {
      case 'SignIn':
        clerk.mountSignIn(el, { routing: 'path', path: '/sign-in', signUpUrl: '/sign-up', fallbackRedirectUrl: '/' });
        break;
      case 'SignUp':
        clerk.mountSignUp(el, { routing: 'path', path: '/sign-up', signInUrl: '/sign-in', fallbackRedirectUrl: '/' });
        break;
      case 'UserProfile':
        clerk.mountUserProfile(el, { routing: 'path', path: '/user' });
        break;
      case 'CreateOrganization':
        clerk.mountCreateOrganization(el, { routing: 'path', path: '/create-org', afterCreateOrganizationUrl: '/', skipInvitationScreen: true });
        break;
      case 'OrganizationProfile':
        clerk.mountOrganizationProfile(el, { routing: 'path', path: '/org' });
        break;
      default:
        if (clerk.user) {
          clerk.mountUserButton($('user-button'), { afterSignOutUrl: '/' });
          clerk.mountOrganizationSwitcher($('org-switcher'), { hidePersonal: false, afterSelectOrganizationUrl: '/', afterCreateOrganizationUrl: '/' });
        }
    }
    return window.__ghState();
  }, (e) => {
    $('state').textContent = 'load failed: ' + (e && e.message ? e.message : e);
    $('state').dataset.status = 'load-failed';
    throw e;
  });
})();
`;

function page({ frontendUrl, publishableKey, mount, smoke }) {
  const { clerkJs, clerkUi } = bundleUrls(frontendUrl);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatehouse test app${mount ? ` — ${esc(mount)}` : ''}</title>
<link rel="icon" href="data:,">
<style>body{font-family:sans-serif;margin:24px} header{display:flex;gap:16px;align-items:center;margin-bottom:16px}
#state{font:12px monospace;color:#555;word-break:break-all}</style>
</head>
<body data-mount="${esc(mount || '')}">
<header><a href="/">home</a><a href="/sign-in">sign in</a><a href="/sign-up">sign up</a><a href="/user">profile</a>
<a href="/create-org">new org</a><a href="/org">org</a><div id="user-button"></div><div id="org-switcher"></div></header>
<div id="state" data-status="loading">loading</div>
<div id="mount"></div>
<script src="${esc(clerkJs)}" crossorigin="anonymous" data-clerk-publishable-key="${esc(publishableKey)}"
  data-clerk-proxy-url="${esc(frontendUrl)}"></script>
<script src="${esc(clerkUi)}" crossorigin="anonymous"></script>
${smoke ? '<script>window.__ghSmoke = true;</script>' : '<script src="/app.js"></script>'}
</body></html>
`;
}

/**
 * Serves the app on 127.0.0.1 (a free port). opts: frontendUrl (Gatehouse's
 * frontend listener, also the proxyUrl), publishableKey.
 */
export async function startApp({ frontendUrl, publishableKey }) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const first = url.pathname.split('/')[1] || '';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
    } else if (url.pathname === '/app.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' }).end(APP_JS);
    } else if (url.pathname === '/smoke' || url.pathname === '/' || MOUNTS[first]) {
      const html = page({ frontendUrl, publishableKey, mount: MOUNTS[first], smoke: url.pathname === '/smoke' });
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', res);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close() {
      server.closeAllConnections?.();
      return new Promise((res) => server.close(res));
    },
  };
}
