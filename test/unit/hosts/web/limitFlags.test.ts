import { describe, expect, it } from 'vitest';
import { limitOptions } from '../../../../main/hosts/web/limitFlags';

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
