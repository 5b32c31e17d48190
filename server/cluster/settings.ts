import { z } from 'zod';

/**
 * The cluster's own settings (issue 11), read beside server/config.ts. `ADVERTISE_URL`: how the
 * other processes reach this one (default http://HOST:PORT — right when every process runs on one
 * machine or HOST is a routable address). `LEASE_TTL_MS`: how long a dead owner blocks its
 * workshops before another process takes them (renewed every ~30 % of it).
 */
const schema = z.object({
  ADVERTISE_URL: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .url()
      .refine((value) => /^https?:$/.test(new URL(value).protocol), 'must be an http:// address such as http://10.0.0.5:8080')
      .transform((value) => new URL(value).origin)
      .optional(),
  ),
  LEASE_TTL_MS: z.preprocess((value) => (value === '' ? undefined : value), z.coerce.number().int().min(1000).max(120_000).default(5000)),
});

export interface ClusterSettings {
  advertiseUrl: string | undefined;
  leaseTtlMs: number;
  leaseRenewMs: number;
}

export function clusterSettings(env: NodeJS.ProcessEnv = process.env): ClusterSettings {
  const parsed = schema.parse(env);
  return { advertiseUrl: parsed.ADVERTISE_URL, leaseTtlMs: parsed.LEASE_TTL_MS, leaseRenewMs: Math.round(parsed.LEASE_TTL_MS * 0.3) };
}
