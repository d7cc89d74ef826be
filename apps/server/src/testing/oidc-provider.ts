// A real OpenID Provider for the single sign-on tests (oidc-provider, in process on 127.0.0.1):
// one confidential client that must use PKCE, a few accounts, and a sign-in page: a form whose one
// field names the account (it submits `/interaction/<uid>?account=<id>`, which HTTP tests call
// directly), which then finishes the login and the consent as the provider's own pages would. Also a front door for Keel whose address is known
// before Keel listens, since PUBLIC_URL (the redirect URI's base) is configuration.
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

export interface ProviderAccount {
  email?: string;
  emailVerified?: boolean;
  name?: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

export const TEST_OIDC_CLIENT_ID = 'keel-test';
export const TEST_OIDC_CLIENT_SECRET = 'keel-test-client-secret-0123456789';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/**
 * Starts the provider. `redirectUris`: the client's registered callbacks. The amr a sign-in reports
 * is the interaction's `amr` query parameter (comma-separated), none when absent.
 */
export async function startOidcProvider(options: {
  redirectUris: string[];
  accounts: Record<string, ProviderAccount>;
}): Promise<TestOidcProvider> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => handler?.(req, res));
  const issuer = await listen(server);
  const configuration: Configuration = {
    clients: [
      {
        client_id: TEST_OIDC_CLIENT_ID,
        client_secret: TEST_OIDC_CLIENT_SECRET,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    // Its own signing key and lifetimes, so the provider has nothing to warn about but its memory store.
    jwks: {
      keys: [{ ...(await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey)), use: 'sig' }],
    },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    cookies: { keys: ['oidc-provider-test-cookie-key'] },
    // `amr` with `openid`, so the ID token says how the sign-in page signed the person in.
    claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, id) {
      const account = options.accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            ...(account.email !== undefined
              ? { email: account.email, email_verified: account.emailVerified ?? false }
              : {}),
            ...(account.name !== undefined ? { name: account.name } : {}),
          };
        },
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  // The provider logs its own complaints about a development setup; the tests read answers instead.
  provider.on('server_error', () => {});
  const callback = provider.callback();
  handler = (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const match = /^\/interaction\/([^/]+)$/.exec(url.pathname);
    if (!match) return void callback(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        if (!url.searchParams.has('account')) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(signInForm(details.uid));
          return;
        }
        const accountId = url.searchParams.get('account') ?? '';
        if (!options.accounts[accountId]) {
          res.writeHead(400).end('unknown account');
          return;
        }
        const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
        grant.addOIDCScope(String(details.params.scope));
        const grantId = await grant.save();
        const amr = url.searchParams.get('amr');
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId, ...(amr ? { amr: amr.split(',') } : {}) }, consent: { grantId } },
          { mergeWithLastSubmission: false },
        );
      } catch (error) {
        res.writeHead(500).end(String(error));
      }
    })();
  };
  return {
    issuer,
    clientId: TEST_OIDC_CLIENT_ID,
    clientSecret: TEST_OIDC_CLIENT_SECRET,
    close: () => closeServer(server),
  };
}

/** The provider's sign-in page, as a browser sees it. */
function signInForm(uid: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Test provider: sign in</title></head>
<body>
<main>
<h1>Sign in to the test provider</h1>
<form method="get" action="/interaction/${encodeURIComponent(uid)}">
<label for="account">Account</label>
<input id="account" name="account" autocomplete="username" required>
<button type="submit">Continue</button>
</form>
</main>
</body>
</html>`;
}

export interface FrontDoor {
  /** PUBLIC_URL: known before the server behind it listens. */
  url: string;
  /** Where requests go from now on (the Keel server's own address). */
  setTarget(target: string): void;
  close(): Promise<void>;
}

/** A plain reverse proxy listening now, whose upstream is set once Keel listens. */
export async function startFrontDoor(): Promise<FrontDoor> {
  let upstream: URL | undefined;
  const server = createServer((req, res) => {
    if (!upstream) {
      res.writeHead(502).end();
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  const url = await listen(server);
  return {
    url,
    setTarget(target) {
      upstream = new URL(target);
    },
    close: () => closeServer(server),
  };
}

/** The cookies a provider set, sent back as a browser would (one host, every path). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}
