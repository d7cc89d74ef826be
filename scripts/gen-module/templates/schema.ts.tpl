// zod inputs and outputs of the __items__ procedures, shared with the web app's forms.
import { z } from 'zod';
import { IdInput, NameInput, PageInput, paginated, SearchText, text } from '../common.schema.js';

/** Required, trimmed, at most 100 characters: every display name's rule. */
export const __Item__Name = NameInput;

export const __Item__Description = text().max(2000, 'Description must be at most 2000 characters');

export const Create__Item__Input = z.object({
  name: __Item__Name,
  description: __Item__Description.nullable().optional(),
});
export type Create__Item__Input = z.infer<typeof Create__Item__Input>;

/** Omitted fields stay as they are; `description: null` clears it. The owner never changes. */
export const Update__Item__Input = IdInput.extend({
  name: __Item__Name.optional(),
  description: __Item__Description.nullable().optional(),
});
export type Update__Item__Input = z.infer<typeof Update__Item__Input>;

export const __Item__IdInput = IdInput;
export type __Item__IdInput = z.infer<typeof __Item__IdInput>;

export const __ITEM___SORTS = ['createdAt', '-createdAt', 'name', '-name'] as const;
export const __Item__Sort = z.enum(__ITEM___SORTS);
export type __Item__Sort = z.infer<typeof __Item__Sort>;

export const __Item__Scope = z.enum(['mine', 'all']);
export type __Item__Scope = z.infer<typeof __Item__Scope>;

export const List__Items__Input = PageInput.extend({
  sort: __Item__Sort.default('-createdAt'),
  /** Matched literally (case-insensitive) against the name: `%` and `_` are plain characters. */
  search: SearchText.optional(),
  /** `all` is for ADMIN only. */
  scope: __Item__Scope.default('mine'),
});
export type List__Items__Input = z.infer<typeof List__Items__Input>;

export const __Item__ = z.object({
  id: z.string(),
  ownerId: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type __Item__ = z.infer<typeof __Item__>;

export const __Item__Page = paginated(__Item__);
export type __Item__Page = z.infer<typeof __Item__Page>;
