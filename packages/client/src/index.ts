// @keel/client: a typed tRPC client for scripts that call a Keel server with an API key.
// AppRouter is imported as a type only, so this package ships no server code (src/bundle.test.ts).
import type { AppRouter } from '@keel/api';
import { createTRPCClient, httpBatchLink, type TRPCClient, TRPCClientError } from '@trpc/client';

export type { AppErrorCode, AppRouter, RouterInputs, RouterOutputs } from '@keel/api';

/** The typed client: `client.projects.list.query(input)`, `client.credits.transfer.mutate(input)`… */
export type KeelClient = TRPCClient<AppRouter>;

/** What a failed call rejects with; `data.code` is Keel's error code (`FORBIDDEN`, `NOT_FOUND`…). */
export type KeelClientError = TRPCClientError<AppRouter>;

export interface KeelClientOptions {
  /** The server's base URL, e.g. `https://keel.example.com`; calls go to `<url>/trpc`. */
  url: string;
  /** A Keel API key, `keel_<prefix>_<secret>`, sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Replaces the global `fetch` (a proxy agent, a test double). */
  fetch?: typeof fetch;
  /** Sent with every request besides the key (e.g. `x-request-id`); `authorization` is refused. */
  headers?: Record<string, string>;
}

const KEY_PREFIX = 'keel_';
const TRPC_PATH = '/trpc';
/** The server refuses batches of more than 10 calls (400); larger batches are split. */
const MAX_BATCH_ITEMS = 10;
/** Long batched GET URLs are sent as several requests instead of hitting a proxy's URL limit. */
const MAX_URL_LENGTH = 4_000;

/** A typed client for the Keel API at `url`, authenticated with `apiKey`. Throws on unusable options. */
export function createKeelClient(options: KeelClientOptions): KeelClient {
  const url = trpcUrl(options.url);
  const apiKey = checkedApiKey(options.apiKey);
  const headers = { ...checkedHeaders(options.headers), authorization: `Bearer ${apiKey}` };
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url,
        headers,
        fetch: options.fetch,
        maxItems: MAX_BATCH_ITEMS,
        maxURLLength: MAX_URL_LENGTH,
      }),
    ],
  });
}

/** Whether `error` is a failed Keel call, so `error.data?.code` can be read typed. */
export function isKeelClientError(error: unknown): error is KeelClientError {
  return error instanceof TRPCClientError;
}

function trpcUrl(url: unknown): string {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new Error(
      "createKeelClient: `url` is required: pass the Keel server's base URL, e.g. { url: 'https://keel.example.com' }",
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new Error(`createKeelClient: \`url\` is not a valid URL (${url}): pass e.g. 'https://keel.example.com'`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`createKeelClient: \`url\` must start with http:// or https:// (got ${parsed.protocol}//)`);
  }
  const base = parsed.href.replace(/\/+$/, '');
  // The tRPC endpoint itself is accepted too, rather than calling `/trpc/trpc` and failing with 404s.
  return base.endsWith(TRPC_PATH) ? base : `${base}${TRPC_PATH}`;
}

function checkedApiKey(apiKey: unknown): string {
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    throw new Error(
      'createKeelClient: `apiKey` is required: create an API key on the API keys page of the Keel dashboard (/api-keys) ' +
        'and pass it, e.g. { apiKey: process.env.KEEL_API_KEY }',
    );
  }
  // A key read from a file or a prompt often ends with a newline, which no header may carry.
  const key = apiKey.trim();
  if (!key.startsWith(KEY_PREFIX)) {
    // The value itself is never echoed: it may be a password or a session token pasted by mistake.
    throw new Error(
      'createKeelClient: `apiKey` is not a Keel API key: keys look like keel_<prefix>_<secret>. ' +
        'Access tokens from signing in do not work here; create an API key on the API keys page of the Keel dashboard (/api-keys)',
    );
  }
  return key;
}

function checkedHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  if (!headers) return {};
  if (Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
    throw new Error(
      'createKeelClient: `headers` may not set authorization: pass the key as `apiKey` and the client sends it',
    );
  }
  return headers;
}
