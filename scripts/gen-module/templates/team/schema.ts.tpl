// zod inputs and outputs of the team-scoped __items__ procedures, shared with the web app's forms.
// Every input starts from TeamScopedInput: `teamProcedure` reads the caller's membership for its `teamId`.
import { z } from 'zod';
import { IdInput, NameInput, PageInput, paginated, SearchText, text } from '../common.schema.js';
import { TeamScopedInput } from '../teams/teams.schema.js';

/** Required, trimmed, at most 100 characters: every display name's rule. */
export const __Item__Name = NameInput;

export const __Item__Description = text().max(2000, 'Description must be at most 2000 characters');

export const Create__Item__Input = TeamScopedInput.extend({
  name: __Item__Name,
  description: __Item__Description.nullable().optional(),
});
export type Create__Item__Input = z.infer<typeof Create__Item__Input>;

/** Omitted fields stay as they are; `description: null` clears it. The team never changes. */
export const Update__Item__Input = TeamScopedInput.extend({
  ...IdInput.shape,
  name: __Item__Name.optional(),
  description: __Item__Description.nullable().optional(),
});
export type Update__Item__Input = z.infer<typeof Update__Item__Input>;

export const __Item__IdInput = TeamScopedInput.extend(IdInput.shape);
export type __Item__IdInput = z.infer<typeof __Item__IdInput>;

export const __ITEM___SORTS = ['createdAt', '-createdAt', 'name', '-name'] as const;
export const __Item__Sort = z.enum(__ITEM___SORTS);
export type __Item__Sort = z.infer<typeof __Item__Sort>;

export const List__Items__Input = TeamScopedInput.extend({
  ...PageInput.shape,
  sort: __Item__Sort.default('-createdAt'),
  /** Matched literally (case-insensitive) against the name: `%` and `_` are plain characters. */
  search: SearchText.optional(),
});
export type List__Items__Input = z.infer<typeof List__Items__Input>;

export const __Item__ = z.object({
  id: z.string(),
  teamId: z.string(),
  /** Null once the creator's account is deleted: the row stays with the team. */
  createdBy: z.string().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type __Item__ = z.infer<typeof __Item__>;

export const __Item__Page = paginated(__Item__);
export type __Item__Page = z.infer<typeof __Item__Page>;
