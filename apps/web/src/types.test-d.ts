// Type tests: procedure outputs flow into components untyped by hand; a misspelled procedure or input does not compile.
import type { AppRouter, RouterInputs, RouterOutputs } from '@keel/api';
import { QueryClient, useMutation, useQuery } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { describe, expectTypeOf, test } from 'vitest';
import type { User } from './lib/auth-store.js';
import type { LiveEvent } from './lib/live-events.js';
import type { useProjectList } from './pages/projects/projects-page.js';

const client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: 'http://127.0.0.1/trpc' })] });
const trpc = createTRPCOptionsProxy<AppRouter>({ client, queryClient: new QueryClient() });

type Project = RouterOutputs['projects']['list']['items'][number];

/** A component's hook that maps rows for display, written with no type annotation at all. */
function useRows() {
  return useQuery(trpc.projects.list.queryOptions({ search: 'x' })).data?.items.map((p) => ({
    label: p.name,
    owner: p.ownerId,
  }));
}

function useCreate() {
  return useMutation(trpc.projects.create.mutationOptions());
}

function useFailureCode() {
  return useQuery(trpc.credits.balance.queryOptions()).error?.data?.code;
}

describe('inference from AppRouter', () => {
  test("the projects page's query data is projects.list's output, with no annotation in the page", () => {
    type Data = ReturnType<typeof useProjectList>['data'];
    expectTypeOf<Data>().toEqualTypeOf<RouterOutputs['projects']['list'] | undefined>();
    expectTypeOf<NonNullable<Data>['items'][number]>().toEqualTypeOf<Project>();
    expectTypeOf<Project['description']>().toEqualTypeOf<string | null>();
    expectTypeOf<Project['createdAt']>().toEqualTypeOf<string>();
  });

  test('a component rendering rows takes its row type from the query, not from a hand-written interface', () => {
    expectTypeOf<ReturnType<typeof useRows>>().toEqualTypeOf<{ label: string; owner: string }[] | undefined>();
  });

  test("mutations take the procedure's input and return its output", () => {
    type Mutation = ReturnType<typeof useCreate>;
    expectTypeOf<Parameters<Mutation['mutate']>[0]>().toEqualTypeOf<RouterInputs['projects']['create']>();
    expectTypeOf<NonNullable<Mutation['data']>>().toEqualTypeOf<RouterOutputs['projects']['create']>();
  });

  test('the session user, the error envelope and live events are inferred too', () => {
    expectTypeOf<User['role']>().toEqualTypeOf<'ADMIN' | 'USER' | 'GUEST'>();
    expectTypeOf<LiveEvent['type']>().toEqualTypeOf<
      'credits.received' | 'project.changed' | 'user.role_changed' | 'stream.superseded'
    >();
    expectTypeOf<Extract<LiveEvent, { type: 'user.role_changed' }>['data']['role']>().toEqualTypeOf<User['role']>();
    expectTypeOf<Extract<LiveEvent, { type: 'credits.received' }>['data']['balance']>().toEqualTypeOf<number>();
    expectTypeOf<ReturnType<typeof useFailureCode>>().toExtend<string | undefined>();
    expectTypeOf<'VALIDATION_ERROR'>().toExtend<NonNullable<ReturnType<typeof useFailureCode>>>();
  });
});

describe('mistakes that must not compile', () => {
  test('a misspelled procedure', () => {
    // @ts-expect-error `projects.lst` does not exist
    trpc.projects.lst.queryOptions({});
    // @ts-expect-error `credit` is not a router (it is `credits`)
    void client.credit.balance.query();
  });

  test('a wrong input field', () => {
    // @ts-expect-error `serach` is not a field of projects.list's input
    trpc.projects.list.queryOptions({ serach: 'x' });
    // @ts-expect-error `title` is not a field of projects.create's input (it is `name`)
    void client.projects.create.mutate({ title: 'x' });
    // @ts-expect-error amount is a number, not a string
    void client.credits.transfer.mutate({ toUserId: 'u', amount: '5' });
    // @ts-expect-error sort only takes the listed keys
    trpc.projects.list.queryOptions({ sort: 'owner' });
  });

  test('a query used as a mutation', () => {
    // @ts-expect-error projects.list is a query: it has no mutationOptions
    trpc.projects.list.mutationOptions();
  });
});
