// Every string any procedure accepts refuses text PostgreSQL cannot store (U+0000, a lone UTF-16
// surrogate) with 400 VALIDATION_ERROR naming the field. The list of fields comes from the router
// itself, so a new procedure or field is covered without touching this file.
import type { AnyProcedure, TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { toPublicError } from './common/errors.js';
import { UNSTORABLE_TEXT_MESSAGE } from './modules/common.schema.js';
import { TeamScopedInput } from './modules/teams/teams.schema.js';
import { appRouter } from './root.js';
import { createTestDeps, createUser, type TestDeps, type TestUser } from './testing/index.js';

interface StringField {
  procedure: string;
  /** Its input starts from TeamScopedInput: the team is checked before the rest of the input is read. */
  teamScoped: boolean;
  /** Where the field sits in the input, e.g. `['reason']`. */
  path: string[];
  /** A string with a built-in format (uuid, datetime…) refuses these values through that format. */
  format: string | undefined;
}

type SchemaDef = z.core.$ZodTypeDef & {
  shape?: Record<string, z.core.$ZodType>;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  format?: string;
};

/** Every field of `schema` a client sends as a string, found through objects and wrappers. */
function stringFields(schema: z.core.$ZodType, path: string[] = []): { path: string[]; format: string | undefined }[] {
  const def = schema._zod.def as SchemaDef;
  switch (def.type) {
    case 'string':
    case 'enum':
      return [{ path, format: def.type === 'enum' ? 'enum' : def.format }];
    case 'object':
      return Object.entries(def.shape ?? {}).flatMap(([key, field]) => stringFields(field, [...path, key]));
    case 'pipe':
      return def.in ? stringFields(def.in, path) : [];
    default:
      // optional, nullable, default, prefault, readonly, catch…: the wrapped schema decides.
      return def.innerType ? stringFields(def.innerType, path) : [];
  }
}

function routerStringFields(): StringField[] {
  // Typed as the nested record, but at run time a flat map from dotted path to procedure.
  const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;
  return Object.entries(procedures).flatMap(([procedure, { _def }]) => {
    const inputs = _def.inputs as z.core.$ZodType[];
    const teamScoped = inputs.includes(TeamScopedInput);
    return inputs.flatMap((input) =>
      stringFields(input).map(({ path, format }) => ({ procedure, teamScoped, path, format })),
    );
  });
}

const FIELDS = routerStringFields();

function inputWith(path: string[], value: string): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

let deps: TestDeps;
let admin: TestUser;
/** A team the admin owns: a team-scoped procedure reads the rest of its input only for a team the caller may act on. */
let teamId: string;
beforeAll(async () => {
  deps = await createTestDeps();
  admin = await createUser(deps, { role: 'ADMIN' });
  teamId = (await admin.caller.teams.create({ name: 'Input strings' })).id;
});
afterAll(async () => {
  await deps.close();
});

async function call(procedure: string, input: unknown): Promise<unknown> {
  // The caller is a proxy: walking the dotted path reaches the procedure.
  const target = procedure
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], admin.caller) as (
    input: unknown,
  ) => Promise<unknown>;
  try {
    return await target(input);
  } catch (error) {
    return error;
  }
}

describe('the router walk', () => {
  it('finds the string inputs of every module', () => {
    const found = FIELDS.map(({ procedure, path }) => `${procedure}:${path.join('.')}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'auth.register:email',
        'auth.login:password',
        'users.search:query',
        'projects.create:description',
        'credits.transfer:idempotencyKey',
        'admin.credits.grant:reason',
        'admin.audit.list:action',
      ]),
    );
    expect(new Set(FIELDS.map((field) => field.procedure)).size).toBeGreaterThanOrEqual(11);
  });
});

describe.each([
  ['a NUL character', 'Valid-text1\u0000'],
  ['a lone high surrogate', 'Valid-text1\uD800'],
  ['a lone low surrogate', '\uDC00Valid-text1'],
])('a string input with %s', (_what, value) => {
  it.each(FIELDS.map((field) => [`${field.procedure} ${field.path.join('.')}`, field] as const))(
    '%s is refused with 400 VALIDATION_ERROR naming the field',
    async (_name, { procedure, teamScoped, path, format }) => {
      const input = inputWith(path, value) as Record<string, unknown>;
      const error = await call(procedure, teamScoped && path[0] !== 'teamId' ? { teamId, ...input } : input);
      expect(error).toBeInstanceOf(Error);
      const publicError = toPublicError(error as TRPCError);
      expect(publicError.code).toBe('VALIDATION_ERROR');
      const field = path.join('.');
      if (format === undefined) {
        // Free text: refused by the shared helper, for this reason.
        expect(publicError.details).toContainEqual({ field, message: UNSTORABLE_TEXT_MESSAGE });
      } else {
        expect(publicError.details?.map((detail) => detail.field)).toContain(field);
      }
    },
  );
});
