import { z } from 'zod';
import { maskSecret } from '../secrets.js';
import { SNOWFLAKE } from '../snowflake.js';

/**
 * useapi.net response bodies, written from shared/reference/useapi-pixverse.md. Tolerant where the
 * reference documents drift (numbers sent as strings, 0/1 beside booleans, the zero date, unknown
 * fields), strict about what the bot shows. Unknown fields are dropped, which also keeps billing links
 * (`invoice_url`, `stripe_bill_url`) out of the process's data.
 */

/** A number, or a string that holds one ("60.00"); anything else fails the parse. */
const lenientNumber = z.union([
  z.number().finite(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number)
    // A digit string long enough ("1" × 400) becomes Infinity, which z.number() refuses.
    .pipe(z.number()),
]);

/** A flag sent as 0/1, as a boolean, or as "0"/"1"/"true"/"false". */
const lenientFlag = z.union([
  z.boolean(),
  z.number().transform((n) => n !== 0),
  z.enum(['0', '1', 'true', 'false']).transform((s) => s === '1' || s === 'true'),
]);

/** useapi.net writes "no date" as Go's zero time; anything before 1971 is treated the same. */
const lenientDate = z.union([z.string(), z.number(), z.null()]).transform((value): Date | undefined => {
  if (value === null || value === '') return undefined;
  const date = typeof value === 'number' ? new Date(value < 1e12 ? value * 1000 : value) : new Date(value);
  return Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1971 ? undefined : date;
});

/** A text field that may come back as a number or null; only non-empty text is kept. */
const lenientText = z.union([z.string(), z.number(), z.null()]).transform((value) => {
  if (value === null) return undefined;
  const text = String(value).trim();
  return text === '' ? undefined : text;
});

/** Optional and tolerant: a field of the wrong type reads as absent instead of failing the whole body. */
const tolerant = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

export const featuresSchema = z
  .object({
    plan_name: tolerant(lenientText),
    next_plan_name: tolerant(lenientText),
    current_plan_type: tolerant(lenientNumber),
    // The credits are what the bot exists to show: a value of the wrong type fails the parse.
    credit_daily: lenientNumber.optional(),
    credit_daily_gift: tolerant(lenientNumber),
    credit_monthly: lenientNumber.optional(),
    credit_monthly_gift: tolerant(lenientNumber),
    credit_package: lenientNumber.optional(),
    expired_date: tolerant(lenientDate),
    billing_renewal_date: tolerant(lenientDate),
    billing_period: tolerant(lenientText),
    price: tolerant(lenientText),
    gen_simultaneously: tolerant(lenientNumber),
    allow_fast_mode: tolerant(lenientFlag),
    allow_relaxed_mode: tolerant(lenientFlag),
    remove_watermark: tolerant(lenientFlag),
    remaining_days: tolerant(lenientNumber),
    // When the monthly and the daily credits refill next: what the usage history needs to tell a
    // refill from a purchase, and the forecast to know which refill would save an account.
    credits_refresh_time: tolerant(lenientDate),
    daily_credits_refresh_time: tolerant(lenientDate),
    qualities: tolerant(z.array(z.string())),
  })
  .refine(
    (f) => f.credit_daily !== undefined || f.credit_monthly !== undefined || f.credit_package !== undefined,
    'no credit field (credit_daily, credit_monthly, credit_package) in the answer',
  );

export type Features = z.infer<typeof featuresSchema>;

/** What is left to spend. The reference has no total field; it is inferred as daily + monthly + package. */
export function spendableCredits(features: Features): number {
  return (features.credit_daily ?? 0) + (features.credit_monthly ?? 0) + (features.credit_package ?? 0);
}

const v2AccountRecord = z.object({
  email: tolerant(z.string()),
  maxJobs: tolerant(lenientNumber),
  jwt: tolerant(
    z.object({
      ExpireTime: tolerant(lenientDate),
      ExpireTimeUTC: tolerant(lenientDate),
    }),
  ),
  error: tolerant(lenientText),
});

/** One configured v2 (PixVerse web login) account, as the bot uses it. */
export interface V2Account {
  email: string;
  maxJobs: number | undefined;
  sessionExpiresAt: Date | undefined;
  /** Set when useapi.net holds the account in an error state (its reads answer 596). */
  error: string | undefined;
}

function toV2Account(key: string, record: z.infer<typeof v2AccountRecord>): V2Account {
  return {
    email: record.email ?? key,
    maxJobs: record.maxJobs,
    sessionExpiresAt: record.jwt?.ExpireTimeUTC ?? record.jwt?.ExpireTime,
    error: record.error,
  };
}

/** `GET /v2/pixverse/accounts`: an object keyed by email. */
export const v2AccountsSchema = z.record(z.string(), v2AccountRecord).transform((byEmail) =>
  Object.entries(byEmail)
    .map(([key, record]) => toV2Account(key, record))
    .sort((a, b) => a.email.localeCompare(b.email)),
);

/** `POST /v2/pixverse/accounts/<email>` answers with one record. */
export const v2AccountSchema = v2AccountRecord.transform((record) => toV2Account(record.email ?? '', record));

/** A Discord id, sent as a string or a number. */
const snowflakeId = z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(SNOWFLAKE));

const v1ChannelRecord = z
  .object({
    channel: snowflakeId,
    // Compared with the server an interaction comes from and shown to admins: anything but an id is
    // no server at all (and no button of this server's may act on it).
    server: tolerant(snowflakeId),
    maxJobs: lenientNumber,
    // The reference: `discord` is a Discord user token in clear. It is masked here, at parse time,
    // so the clear value is never held by anything the client returns.
    discord: z
      .string()
      .optional()
      .transform((token) => (token ? maskSecret(token) : undefined)),
  })
  .transform(({ discord, ...rest }) => ({ ...rest, discordMasked: discord }));

export type V1Channel = z.infer<typeof v1ChannelRecord>;

/** `GET /v1/pixverse/account`: an object keyed by channel id. */
export const v1ChannelsSchema = z
  .record(z.string(), v1ChannelRecord)
  .transform((byChannel) => Object.values(byChannel).sort((a, b) => a.channel.localeCompare(b.channel)));

/**
 * `GET /v1/pixverse/account/<channel>`: the reference says "same shape"; accept both one record and
 * an object keyed by channel id, since the docs show no example.
 */
export const v1ChannelSchema = z.union([
  v1ChannelRecord,
  v1ChannelsSchema.transform((list, ctx) => {
    if (list.length === 1) return list[0]!;
    ctx.addIssue({ code: 'custom', message: `expected one configuration, got ${list.length}` });
    return z.NEVER;
  }),
]);

/** useapi.net's error body `{error, code}`; both fields optional because some errors are plain text. */
export const errorBodySchema = z.looseObject({
  error: z.union([z.string(), z.number()]).transform(String).optional(),
  code: z.unknown().optional(),
});

/** A count that may come as a number or a numeric string; anything else reads as absent. */
const count = tolerant(lenientNumber);

/**
 * `GET /v2/pixverse/scheduler/available`: the jobs running now and each account's free capacity. Only
 * jobs started through the API are counted. Older pages named a job's id `videoId` or `video_id`.
 */
export const schedulerSchema = z
  .object({
    executing: tolerant(
      z.array(
        z.looseObject({
          id: tolerant(lenientText),
          videoId: tolerant(lenientText),
          video_id: tolerant(lenientText),
          type: tolerant(lenientText),
        }),
      ),
    ),
    available: tolerant(
      z.array(z.object({ email: z.string(), maxJobs: count, executing: count, available: count }).catch(() => ({ email: '' }))),
    ),
  })
  .transform(({ executing = [], available = [] }) => ({
    running: executing.map((job) => ({ id: job.id ?? job.videoId ?? job.video_id, type: job.type })),
    capacity: available
      .filter((entry) => entry.email !== '')
      .map((entry) => ({ email: entry.email, maxJobs: entry.maxJobs, executing: entry.executing ?? 0 })),
  }));

export type Scheduler = z.infer<typeof schedulerSchema>;

/** `GET /v2/account`: the useapi.net subscription and its PixVerse account slots (those in error count too). */
export const subscriptionSchema = z
  .object({
    subscriptionIsActive: tolerant(lenientFlag),
    maxAccountsPerAPI: count,
    accounts: tolerant(z.record(z.string(), z.object({ total: count, active: count, error: count }).catch({}))),
  })
  .transform((body) => ({
    active: body.subscriptionIsActive,
    slots: body.maxAccountsPerAPI,
    pixverse: body.accounts?.pixverse,
  }));

export type Subscription = z.infer<typeof subscriptionSchema>;
