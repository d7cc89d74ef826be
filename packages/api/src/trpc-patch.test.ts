// The patched `_objectSpread2` of @trpc/server (patches/README.md) must merge contexts and inputs
// exactly as the original did: later keys win, symbol keys are kept, and an own "__proto__" key
// (JSON.parse makes those) stays a data property instead of replacing the prototype.
import { initTRPC } from '@trpc/server';
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
  chainedInputs: t.procedure
    .input(z.object({ a: z.number() }))
    .input(z.object({ b: z.string() }))
    .query(({ input }) => input),
});

describe('tRPC object spread (patched helper)', () => {
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
});
