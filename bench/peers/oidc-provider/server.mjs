// Minimal panva/oidc-provider instance for benchmarking (loopback only).
// - client_credentials grant, client_secret_basic auth (plain secret compare, no hashing)
// - resource "urn:bench:jwt"    -> JWT access tokens signed RS256 (2048-bit key from jwks.json)
// - resource "urn:bench:opaque" -> opaque access tokens (stored in the default in-memory adapter),
//   usable with the /token/introspection endpoint
// Env: PORT (default 18601), JWKS_FILE (private JWKS; setup.sh generates one per run)
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 18601);
const issuer = `http://127.0.0.1:${port}`;
const jwks = JSON.parse(readFileSync(process.env.JWKS_FILE, 'utf8'));

const resources = {
  'urn:bench:jwt': { scope: 'api:read', audience: 'urn:bench:jwt', accessTokenTTL: 300, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } },
  'urn:bench:opaque': { scope: 'api:read', audience: 'urn:bench:opaque', accessTokenTTL: 300, accessTokenFormat: 'opaque' },
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'benchclient',
    client_secret: 'benchsecret-benchsecret-benchsecret',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks,
  cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
  ttl: { ClientCredentials: (ctx, token, client) => token.resourceServer?.accessTokenTTL || 300 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async () => true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:bench:jwt',
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resourceIndicator) => {
        const info = resources[resourceIndicator];
        if (!info) throw new Error('unknown resource');
        return info;
      },
    },
  },
});

provider.on('server_error', (ctx, err) => console.error('server_error', err));
const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer} pid=${process.pid}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
