// zod input and output of admin.activity: the overview's daily series and its recent notable events.
import { z } from 'zod';
import { DayRangeInput } from '../common.schema.js';

/** The overview's range: `{ days = 30 (7..90) }`. */
export const ActivityInput = DayRangeInput;
export type ActivityInput = DayRangeInput;

/** A UTC calendar day, `2030-01-31`. */
export const CalendarDay = z.iso.date();

/** What happened on one UTC day. */
export const ActivityDay = z.object({
  day: CalendarDay,
  /** Accounts created. */
  signUps: z.number(),
  /** Successful sign-ins with a password. */
  signIns: z.number(),
  /** Sign-ins refused for an unknown email or a wrong password. */
  failedSignIns: z.number(),
  /** Credit transfers between users (admin grants are not transfers). */
  transfers: z.number(),
  /** The credits those transfers moved. */
  creditVolume: z.number(),
});
export type ActivityDay = z.infer<typeof ActivityDay>;

/** An audit event as the overview lists it: who (by name, null for nobody or a deleted account) did what. */
export const ActivityEvent = z.object({
  id: z.string(),
  at: z.string(),
  action: z.string(),
  actor: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
});
export type ActivityEvent = z.infer<typeof ActivityEvent>;

export const AdminActivity = z.object({
  /** Every day of the range, oldest first, days without activity as zeros. */
  series: z.array(ActivityDay),
  /** The sums of the series over the range. */
  totals: ActivityDay.omit({ day: true }),
  /** The latest notable events of the range (sign-ups, failed sign-ins, admin and credit actions), newest first. */
  recent: z.array(ActivityEvent),
});
export type AdminActivity = z.infer<typeof AdminActivity>;
