import { describe, expect, it } from 'vitest';
import { DEFAULT_API_LIMITS } from '../../../../main/hosts/web/apiLimits';
import { apiLimitOptions, limitOptions } from '../../../../main/hosts/web/limitFlags';

describe("ferry serve's limit flags", () => {
  it('become engine limits and per-kind timeouts', () => {
    expect(limitOptions({ concurrency: '6', 'kind-concurrency': 'upload=2, verify=1', 'destination-concurrency': '3', 'kind-timeout': 'command=60' })).toEqual({
      limits: { concurrency: 6, perKind: { upload: 2, verify: 1 }, perDestination: 3 },
      policies: { command: { timeoutMs: 60_000 } },
    });
    expect(limitOptions({})).toEqual({});
  });

  it('refuse each kind of bad value with the flag named', () => {
    expect(() => limitOptions({ concurrency: '0' })).toThrow(/--concurrency must be a whole number 1\.\.64, got 0/);
    expect(() => limitOptions({ 'kind-concurrency': 'upload' })).toThrow(/--kind-concurrency takes KIND=NUMBER pairs/);
    expect(() => limitOptions({ 'kind-concurrency': 'teleport=2' })).toThrow(/--kind-concurrency teleport=2/);
    expect(() => limitOptions({ 'kind-concurrency': 'upload=1.5' })).toThrow(/--kind-concurrency upload=1\.5/);
    expect(() => limitOptions({ 'destination-concurrency': 'many' })).toThrow(/--destination-concurrency must be a whole number 0\.\.64/);
    expect(() => limitOptions({ 'kind-timeout': 'command=0' })).toThrow(/--kind-timeout command=0/);
  });
});

describe("ferry serve's API flags", () => {
  it('--idle-stream-seconds sets the idle limit of event streams, the other limits keep their defaults', () => {
    expect(apiLimitOptions({})).toEqual(DEFAULT_API_LIMITS);
    expect(apiLimitOptions({ 'idle-stream-seconds': '60' })).toEqual({ ...DEFAULT_API_LIMITS, idleStreamMs: 60_000 });
  });

  it('refuses an idle limit that is not a whole number of seconds in 10..86400', () => {
    for (const bad of ['5', '86401', '1.5', 'soon', '-20']) expect(() => apiLimitOptions({ 'idle-stream-seconds': bad })).toThrow(`--idle-stream-seconds must be a whole number 10..86400, got ${bad}`);
  });
});
