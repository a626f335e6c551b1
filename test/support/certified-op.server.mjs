// A certified OpenID Provider (the `oidc-provider` package, OpenID Certified) shaped like Entra ID
// v2.0, run as a child process because it is ESM-only and Jest on Node 20 cannot load it.
// Issuer `http://127.0.0.1:<port>/<tenant-guid>/v2.0`; ID tokens carry oid/tid/preferred_username/
// email/name; it advertises and sends the RFC 9207 `iss` authorization-response parameter.
// The login is scripted: whoever authorizes is signed in as the current user, set by the test with
// `PUT /__test/user` (a JSON EntraUser). Configuration comes from the environment:
// OP_CLIENT_ID, OP_CLIENT_SECRET, OP_REDIRECT_URIS (JSON array). The first stdout line is
// `{"issuer": "…", "base": "…"}` once it listens.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const tenantId = randomUUID();
const mount = `/${tenantId}/v2.0`;
const users = new Map();
let current;

const server = createServer((req, res) => void route(req, res));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const issuer = `${base}${mount}`;

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OP_CLIENT_ID,
      client_secret: process.env.OP_CLIENT_SECRET,
      redirect_uris: JSON.parse(process.env.OP_REDIRECT_URIS ?? '[]'),
      // Web callbacks on loopback and app schemes (msauth.…://) alike, as one Entra app registration allows.
      application_type: 'native',
      token_endpoint_auth_method: 'client_secret_post',
      response_types: ['code'],
      grant_types: ['authorization_code'],
    },
  ],
  jwks: { keys: [{ ...signingKey, kid: randomUUID(), use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  // Entra puts these in the ID token, not only in userinfo.
  conformIdTokenClaims: false,
  claims: { openid: ['sub', 'oid', 'tid', 'ver', 'preferred_username', 'email', 'name'] },
  scopes: ['openid', 'profile', 'email'],
  pkce: { methods: ['S256'], required: () => false },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `${mount}/interaction/${interaction.uid}` },
  findAccount: (_ctx, accountId) => {
    const user = users.get(accountId);
    if (!user) return undefined;
    return {
      accountId,
      claims: () => ({ sub: `pairwise-${user.oid}`, ver: '2.0', tid: tenantId, ...user }),
    };
  },
});
// Mounted under the issuer's path, as express's app.use(mount, provider.callback()) would.
const oidc = provider.callback();

async function route(req, res) {
  try {
    if (req.url === '/__test/user' && req.method === 'PUT') {
      current = JSON.parse(await body(req));
      users.set(current.oid, current);
      res.writeHead(204);
      return void res.end();
    }
    if (!req.url.startsWith(`${mount}/`)) {
      res.writeHead(404);
      return void res.end();
    }
    if (req.url.startsWith(`${mount}/interaction/`)) return await interaction(req, res);
    req.originalUrl = req.url;
    req.url = req.url.slice(mount.length);
    oidc(req, res);
  } catch (error) {
    console.error(error);
    res.writeHead(500);
    res.end();
  }
}

/** The scripted login page: signs in the current user and grants what the client asked for. */
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  let result;
  if (details.prompt.name === 'login') {
    result = { login: { accountId: current.oid } };
  } else {
    const grant = new provider.Grant({
      accountId: details.session.accountId,
      clientId: details.params.client_id,
    });
    grant.addOIDCScope(details.params.scope);
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

function body(req) {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => resolve(text));
  });
}

process.stdout.write(`${JSON.stringify({ issuer, base })}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
