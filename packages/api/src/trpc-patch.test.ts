// The two patches of @trpc/server (patches/README.md) must not change what a procedure sees.
// `_objectSpread2`: contexts and inputs merge as before (later keys win, symbol keys are kept, an
// own "__proto__" key from JSON.parse stays a data property). The parser: zod schemas parse
// synchronously, yet a schema with an async refinement still works, and failures stay ZodErrors.
import { initTRPC, TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const t = initTRPC.context<Record<PropertyKey, unknown>>().create();
const traceKey = Symbol('trace');

const router = t.router({
  merged: t.procedure
    .use(({ next }) => next({ ctx: { role: 'USER', [traceKey]: 'abc' } }))
    .use(({ next }) => next({ ctx: JSON.parse('{"__proto__": {"isAdmin": true}, "role": "ADMIN"}') }))
    .query(({ ctx }) => ({
      role: ctx.role,
      trace: ctx[traceKey],
      isAdmin: ctx.isAdmin,
      prototypeIsObject: Object.getPrototypeOf(ctx) === Object.prototype,
      ownProtoKey: Object.hasOwn(ctx, '__proto__'),
      original: ctx.original,
    })),
  asyncRefined: t.procedure
    .input(z.object({ name: z.string().refine(async (name) => name !== 'taken', 'Name is taken') }))
    .query(({ input }) => input.name),
  chainedInputs: t.procedure
    .input(z.object({ a: z.number() }))
    .input(z.object({ b: z.string() }))
    .query(({ input }) => input),
});

describe('@trpc/server with the patches of patches/README.md', () => {
  it('merges middleware contexts with later keys winning and symbol keys kept', async () => {
    const caller = t.createCallerFactory(router)({ original: 'kept' });
    await expect(caller.merged()).resolves.toEqual({
      role: 'ADMIN',
      trace: 'abc',
      isAdmin: undefined,
      prototypeIsObject: true,
      ownProtoKey: true,
      original: 'kept',
    });
  });

  it('merges chained input parsers into one object', async () => {
    const caller = t.createCallerFactory(router)({});
    await expect(caller.chainedInputs({ a: 1, b: 'two' })).resolves.toEqual({ a: 1, b: 'two' });
  });

  it('parses zod inputs, falling back to an async parse for a schema that needs one', async () => {
    const caller = t.createCallerFactory(router)({});
    await expect(caller.asyncRefined({ name: 'free' })).resolves.toBe('free');
    const refused = await caller.asyncRefined({ name: 'taken' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).cause).toBeInstanceOf(z.ZodError);
    expect((refused as TRPCError).cause?.message).toContain('Name is taken');
  });

  it('reports a synchronous validation failure as a ZodError with its issues', async () => {
    const caller = t.createCallerFactory(router)({});
    // @ts-expect-error `a` must be a number: the parse is what this test is about
    const refused = await caller.chainedInputs({ a: 'one', b: 'two' }).catch((error: unknown) => error);
    expect((refused as TRPCError).code).toBe('BAD_REQUEST');
    expect(((refused as TRPCError).cause as z.ZodError).issues).toEqual([
      expect.objectContaining({ path: ['a'], code: 'invalid_type' }),
    ]);
  });
});
