// createKeelClient on a stand-in fetch: options refused early with what to do, the key sent as a
// bearer token to <url>/trpc, plain JSON on the wire, failures as typed TRPCClientErrors.
import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { createKeelClient, isKeelClientError, type KeelClientOptions } from './index.js';

const API_KEY = `keel_abcd1234_${'x'.repeat(43)}`;

interface SentRequest {
  url: URL;
  method: string;
  headers: Headers;
  body: unknown;
}

/** One call's answer in a tRPC batch response. */
type CallAnswer =
  | { result: { data: unknown } }
  | { error: { message: string; code: number; data: { code: string; httpStatus: number } & Record<string, unknown> } };

/** A fetch that records each request and answers every call of a batch with `answer(path)`. */
function standInFetch(answer: (path: string) => CallAnswer = () => ({ result: { data: null } })) {
  const sent: SentRequest[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    sent.push({ url, method: init?.method ?? 'GET', headers: new Headers(init?.headers), body });
    const paths = url.pathname.slice(url.pathname.lastIndexOf('/') + 1).split(',');
    const answers = paths.map(answer);
    const failed = answers.find((item) => 'error' in item);
    return new Response(JSON.stringify(answers), {
      status: failed && 'error' in failed ? failed.error.data.httpStatus : 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, sent };
}

function clientWith(options: Partial<KeelClientOptions> = {}, answer?: (path: string) => CallAnswer) {
  const backend = standInFetch(answer);
  const client = createKeelClient({
    url: 'https://keel.example.com',
    apiKey: API_KEY,
    fetch: backend.fetch,
    ...options,
  });
  return { client, sent: backend.sent };
}

describe('options are checked before any request', () => {
  it.each([
    ['no url', { url: undefined }, /`url` is required: pass the Keel server's base URL/],
    ['an empty url', { url: '  ' }, /`url` is required/],
    ['a url that does not parse', { url: 'keel.example.com' }, /`url` is not a valid URL \(keel\.example\.com\)/],
    [
      'a url that is not http(s)',
      { url: 'ftp://keel.example.com' },
      /must start with http:\/\/ or https:\/\/ \(got ftp:\/\/\)/,
    ],
    ['no key', { apiKey: undefined }, /`apiKey` is required: create an API key on the API keys page/],
    ['an empty key', { apiKey: '' }, /`apiKey` is required/],
    [
      'an access token instead of a key',
      { apiKey: 'eyJhbGciOiJIUzI1NiJ9.secret.sig' },
      /not a Keel API key: keys look like keel_<prefix>_<secret>/,
    ],
    ['an authorization header', { headers: { Authorization: 'Bearer x' } }, /pass the key as `apiKey`/],
  ])('%s is refused with what to do', (_, options, message) => {
    const { fetch, sent } = standInFetch();
    const given = { url: 'https://keel.example.com', apiKey: API_KEY, fetch, ...options } as KeelClientOptions;
    expect(() => createKeelClient(given)).toThrow(message);
    expect(sent).toEqual([]);
  });

  it('never repeats a refused key in its message', () => {
    const secret = 'my-password-pasted-by-mistake';
    expect(() => createKeelClient({ url: 'https://keel.example.com', apiKey: secret })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });
});

describe('requests', () => {
  it('sends a query to <url>/trpc with the key as a bearer token, the input as plain JSON', async () => {
    const { client, sent } = clientWith({ headers: { 'x-request-id': 'nightly-1' } }, () => ({
      result: { data: { items: [], total: 0, page: 1, limit: 20 } },
    }));

    const page = await client.projects.list.query({ search: 'night' });

    expect(page).toEqual({ items: [], total: 0, page: 1, limit: 20 });
    expect(sent).toHaveLength(1);
    const [request] = sent as [SentRequest];
    expect(request.method).toBe('GET');
    expect(`${request.url.origin}${request.url.pathname}`).toBe('https://keel.example.com/trpc/projects.list');
    expect(JSON.parse(request.url.searchParams.get('input') ?? '')).toEqual({ 0: { search: 'night' } });
    expect(request.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(request.headers.get('x-request-id')).toBe('nightly-1');
  });

  it('sends a mutation as a JSON POST', async () => {
    const { client, sent } = clientWith({}, () => ({ result: { data: { id: 'p1', name: 'Nightly' } } }));

    await client.projects.create.mutate({ name: 'Nightly' });

    const [request] = sent as [SentRequest];
    expect(request.method).toBe('POST');
    expect(request.url.pathname).toBe('/trpc/projects.create');
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.body).toEqual({ 0: { name: 'Nightly' } });
  });

  it.each([
    ['a trailing slash', 'https://keel.example.com/'],
    ['the /trpc endpoint itself', 'https://keel.example.com/trpc/'],
  ])('accepts a url with %s', async (_, url) => {
    const { client, sent } = clientWith({ url });
    await client.auth.me.query();
    expect(sent[0]?.url.pathname).toBe('/trpc/auth.me');
  });

  it('trims a key read with its newline', async () => {
    const { client, sent } = clientWith({ apiKey: ` ${API_KEY}\n` });
    await client.auth.me.query();
    expect(sent[0]?.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
  });

  it('splits more than 10 calls into batches the server accepts', async () => {
    const { client, sent } = clientWith();
    await Promise.all(Array.from({ length: 12 }, () => client.credits.balance.query()));
    expect(sent.map((request) => request.url.pathname.split(',').length)).toEqual([10, 2]);
  });

  it("rejects a failed call with a TRPCClientError carrying the server's code", async () => {
    const { client } = clientWith({}, () => ({
      error: {
        message: 'This API key is read-only',
        code: -32003,
        data: { code: 'FORBIDDEN', httpStatus: 403, path: 'projects.create', requestId: 'r1' },
      },
    }));

    const failure = await client.projects.create.mutate({ name: 'No' }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(TRPCClientError);
    expect(isKeelClientError(failure)).toBe(true);
    if (!isKeelClientError(failure)) return;
    expect(failure.message).toBe('This API key is read-only');
    expect(failure.data).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });
  });

  it('tells other failures apart from Keel errors', () => {
    expect(isKeelClientError(new Error('socket hang up'))).toBe(false);
    expect(isKeelClientError('FORBIDDEN')).toBe(false);
  });
});
