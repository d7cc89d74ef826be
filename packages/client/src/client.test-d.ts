// Type tests: the client infers every procedure's input and output from AppRouter; a wrong input or a
// misspelled procedure does not compile.
import { describe, expectTypeOf, test } from 'vitest';
import {
  createKeelClient,
  isKeelClientError,
  type KeelClient,
  type KeelClientOptions,
  type RouterInputs,
  type RouterOutputs,
} from './index.js';

declare const client: KeelClient;

describe('inference from AppRouter', () => {
  test('createKeelClient returns the typed client', () => {
    expectTypeOf(createKeelClient).parameter(0).toEqualTypeOf<KeelClientOptions>();
    expectTypeOf(createKeelClient).returns.toEqualTypeOf<KeelClient>();
  });

  test("projects.list takes projects.list's input and resolves to its output", () => {
    expectTypeOf(client.projects.list.query).parameter(0).toEqualTypeOf<RouterInputs['projects']['list']>();
    expectTypeOf(client.projects.list.query).returns.resolves.toEqualTypeOf<RouterOutputs['projects']['list']>();
    type Project = Awaited<ReturnType<typeof client.projects.list.query>>['items'][number];
    expectTypeOf<Project['name']>().toEqualTypeOf<string>();
    expectTypeOf<Project['description']>().toEqualTypeOf<string | null>();
  });

  test('a mutation infers its input and output too', () => {
    expectTypeOf(client.credits.transfer.mutate).parameter(0).toEqualTypeOf<RouterInputs['credits']['transfer']>();
    expectTypeOf(client.credits.transfer.mutate).returns.resolves.toEqualTypeOf<RouterOutputs['credits']['transfer']>();
    expectTypeOf<RouterInputs['credits']['transfer']['amount']>().toEqualTypeOf<number>();
  });

  test("a failed call's data carries Keel's error code", () => {
    const failure: unknown = new Error('x');
    if (isKeelClientError(failure)) {
      expectTypeOf(failure.data).not.toBeAny();
      expectTypeOf<NonNullable<typeof failure.data>['httpStatus']>().toEqualTypeOf<number>();
    }
  });
});

describe('what does not compile', () => {
  test('a wrong input type', () => {
    // @ts-expect-error `search` is a string
    void client.projects.list.query({ search: 42 });
    // @ts-expect-error `amount` is a number
    void client.credits.transfer.mutate({ toUserId: 'u1', amount: '10' });
    // @ts-expect-error `toUserId` is required
    void client.credits.transfer.mutate({ amount: 10 });
  });

  test('a misspelled procedure', () => {
    // @ts-expect-error there is no `projcts` router
    void client.projcts.list.query({});
    // @ts-expect-error `list` is a query: it has no `mutate`
    void client.projects.list.mutate({});
  });

  test('options of the wrong shape', () => {
    // @ts-expect-error `apiKey` is required
    createKeelClient({ url: 'https://keel.example.com' });
    // @ts-expect-error headers are strings
    createKeelClient({ url: 'https://keel.example.com', apiKey: 'keel_x', headers: { 'x-retry': 1 } });
  });
});
