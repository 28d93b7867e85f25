import type { ApiLimitOptions } from '../../../shared/contract';
import { settingsSchema } from '../../../shared/settings';
import type { EngineOptions } from '../../engine/index';
import { DEFAULT_API_LIMITS } from './apiLimits';

export interface LimitFlags {
  concurrency?: string;
  'kind-concurrency'?: string;
  'destination-concurrency'?: string;
  'kind-timeout'?: string;
}

export const LIMIT_FLAGS_USAGE = [
  '  --concurrency N              jobs at once (default: the setting, 4)',
  '  --kind-concurrency K=N,...   jobs of a kind at once, e.g. upload=2,verify=1',
  '  --destination-concurrency N  jobs sending to one destination at once (0: no limit)',
  '  --kind-timeout K=S,...       seconds one attempt of a kind may run, e.g. command=3600',
  '  (these win over the Settings screen for this run; the same limits are settings there)',
];

/** `upload=2,verify=1` → `{ upload: 2, verify: 1 }`, checked by the settings' own schema. */
function perKind(flag: string, raw: string, schema: { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: { message: string }[] } } }): Record<string, number> {
  const pairs = raw.split(',').map((p) => p.trim()).filter(Boolean).map((p) => p.split('='));
  if (pairs.some((p) => p.length !== 2)) throw new Error(`--${flag} takes KIND=NUMBER pairs separated by commas, got ${JSON.stringify(raw)}`);
  const parsed = schema.safeParse(Object.fromEntries(pairs.map(([k, v]) => [k!.trim(), Number(v)])));
  if (!parsed.success) throw new Error(`--${flag} ${raw}: ${parsed.error!.issues.map((i) => i.message).join('; ')}`);
  return parsed.data as Record<string, number>;
}

/** `ferry serve`'s limit flags as engine options (they override the settings while this instance runs). */
export function limitOptions(values: LimitFlags): Pick<EngineOptions, 'limits' | 'policies'> {
  const shape = settingsSchema.shape;
  const limits: NonNullable<EngineOptions['limits']> = {};
  if (values.concurrency !== undefined) {
    const n = shape.concurrency.unwrap().safeParse(Number(values.concurrency));
    if (!n.success) throw new Error(`--concurrency must be a whole number 1..64, got ${values.concurrency}`);
    limits.concurrency = n.data;
  }
  if (values['kind-concurrency'] !== undefined) limits.perKind = perKind('kind-concurrency', values['kind-concurrency'], shape.kindConcurrency.unwrap());
  if (values['destination-concurrency'] !== undefined) {
    const n = shape.destinationConcurrency.unwrap().safeParse(Number(values['destination-concurrency']));
    if (!n.success) throw new Error(`--destination-concurrency must be a whole number 0..64, got ${values['destination-concurrency']}`);
    if (n.data > 0) limits.perDestination = n.data;
  }
  const out: Pick<EngineOptions, 'limits' | 'policies'> = Object.keys(limits).length ? { limits } : {};
  if (values['kind-timeout'] !== undefined) {
    const seconds = perKind('kind-timeout', values['kind-timeout'], shape.kindTimeoutSeconds.unwrap());
    out.policies = Object.fromEntries(Object.entries(seconds).map(([k, s]) => [k, { timeoutMs: s * 1000 }]));
  }
  return out;
}

export const API_FLAGS_USAGE = [
  `  --idle-stream-seconds N      close an API event stream on which no event happened this long (default ${DEFAULT_API_LIMITS.idleStreamMs / 1000}, 10..86400;`,
  '                               checked at each 5 s heartbeat, so it ends within 6 s after that)',
];

/** `ferry serve`'s API flags as the versioned API's limits (the defaults for what is not given). */
export function apiLimitOptions(values: { 'idle-stream-seconds'?: string }): ApiLimitOptions {
  const raw = values['idle-stream-seconds'];
  if (raw === undefined) return DEFAULT_API_LIMITS;
  const seconds = Number(raw);
  if (!/^[0-9]+$/.test(raw.trim()) || seconds < 10 || seconds > 86_400) throw new Error(`--idle-stream-seconds must be a whole number 10..86400, got ${raw}`);
  return { ...DEFAULT_API_LIMITS, idleStreamMs: seconds * 1000 };
}
