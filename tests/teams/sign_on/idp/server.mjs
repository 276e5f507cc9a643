// The OpenID Connect provider the sign-on tests sign in with: node's
// oidc-provider on 127.0.0.1, started by the test session (tests/teams/sign_on/idp.py).
//
//   node server.mjs CONFIG.json
//
// CONFIG: {"port", "clients": [{"client_id", "client_secret", "redirect_uris"}],
//          "accounts_file", "short_code_accounts": ["late"]}
// Accounts are read from accounts_file at every sign-in, so a test can change
// an account's claims (its groups) between two sign-ins. The login page is
// oidc-provider's development page: any account id, any password.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = () => JSON.parse(readFileSync(config.accounts_file, 'utf8'));
const shortCode = new Set(config.short_code_accounts || []);

const provider = new Provider(`http://127.0.0.1:${config.port}`, {
  clients: config.clients.map((c) => ({
    ...c,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  })),
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username', 'given_name', 'family_name'],
    groups: ['groups'],
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['ocrspace-test-idp-cookie-key'] },
  ttl: {
    // Codes of the "short code" accounts expire after one second, so a test
    // can present an expired one.
    AuthorizationCode: (ctx, code) => (shortCode.has(code.accountId) ? 1 : 120),
  },
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
  // No consent page: the test client is granted what it asks for.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
const server = provider.listen(config.port, '127.0.0.1', () => {
  console.log(`listening on ${config.port}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
