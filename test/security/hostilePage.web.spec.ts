/**
 * Finding 1 in a real browser: the user has Ferry open (so whatever the page keeps is in the
 * browser), and a hostile page served on another 127.0.0.1 port and on `localhost` tries every
 * command of the contract over HTTP (fetch with cookies, text/plain bodies, form posts), the
 * staging upload and the WebSocket. Nothing may change in the engine.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { commandNames } from '../../shared/contract';
import { listenOnLoopback } from '../helpers/loopback';
import { expect, test, type ServedFerry } from '../e2e/fixtures';

/** What a page can see of its attempts; the engine's own state is what decides the test. */
interface AttackReport {
  sockets: { url: string; opened: boolean; answered: boolean }[];
}

/** Inputs an attacker would send to do harm with each command (others get `{}`). */
function payloads(marker: string): Record<string, unknown> {
  return {
    updateSettings: { concurrency: 17, receiverOnLan: true, allowCommandJobs: true },
    requestCommandJobs: {},
    createCommandJob: { program: '/bin/sh', args: ['-c', `echo pwned > ${marker}`] },
    createDemoJob: { items: 1, itemDelayMs: 0, failRate: 0 },
    createDownloadJob: { url: 'http://127.0.0.1:9/x', dest: `${marker}.download` },
    saveDestination: { name: 'evil', kind: 'folder', config: { path: '/tmp' } },
    setReceiverToken: { token: 'attacker-chosen-token-0123456789abcdef' },
    saveWebhook: { url: 'http://evil.example/hook', events: ['job.completed'] },
    saveWatchRule: { name: 'evil', path: '/tmp' },
    setQueuePaused: { paused: true },
    beginStaging: {},
  };
}

/** Runs in the hostile page: every way a page can reach another origin without its consent. */
async function attack(page: Page, args: { target: string; wsTargets: string[]; names: string[]; payloads: Record<string, unknown>; stagingPath: string }): Promise<AttackReport> {
  return page.evaluate(async ({ target, wsTargets, names, payloads, stagingPath }) => {
    // The page's DOM, typed as little as used (this file compiles without the DOM library).
    type El = { name: string; style: { display: string }; onload: (() => void) | null; method: string; action: string; enctype: string; target: string; value: string; appendChild(e: El): void; submit(): void };
    const document = (globalThis as unknown as { document: { createElement(tag: string): El; body: El } }).document;
    const bodyOf = (name: string) => JSON.stringify(payloads[name] ?? {});
    const swallow = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch {
        // A refused or CORS-blocked request: the engine's state says whether it did harm.
      }
    };
    for (const name of names) {
      const url = `${target}/api/call/${name}`;
      // A "simple" request: no preflight, the browser attaches whatever cookies it has.
      await swallow(fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body: bodyOf(name) }));
      // The same with a JSON type: the browser must ask first (preflight), and nobody answers yes.
      await swallow(fetch(url, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: bodyOf(name) }));
      // A form post with a text/plain body shaped into JSON, into a hidden frame (the harmful calls:
      // a frame load takes long, and the two fetches above already cover every command).
      if (!(name in payloads)) continue;
      await new Promise<void>((resolve) => {
        const frame = document.createElement('iframe');
        frame.name = `f-${name}`;
        frame.style.display = 'none';
        frame.onload = () => resolve();
        document.body.appendChild(frame);
        const form = document.createElement('form');
        form.method = 'POST';
        form.action = url;
        form.enctype = 'text/plain';
        form.target = frame.name;
        const body = bodyOf(name);
        const input = document.createElement('input');
        // text/plain serialises as name=value: `{"a":1,"pad":"` + `=` + `"}` is JSON again.
        input.name = `${body.slice(0, -1)}${body.length > 2 ? ',' : ''}"pad":"`;
        input.value = '"}';
        form.appendChild(input);
        document.body.appendChild(form);
        form.submit();
      });
    }
    await swallow(fetch(`${target}${stagingPath}`, { method: 'PUT', credentials: 'include', body: 'stolen' }));
    await swallow(fetch(`${target}${stagingPath}`, { method: 'PUT', mode: 'no-cors', credentials: 'include', body: 'stolen' }));

    const sockets: AttackReport['sockets'] = [];
    for (const url of wsTargets) {
      for (const protocols of [[], ['ferry']]) {
        sockets.push(
          await new Promise((resolve) => {
            const entry = { url, opened: false, answered: false };
            const ws = new WebSocket(url, protocols);
            ws.onopen = () => {
              entry.opened = true;
              ws.send(JSON.stringify({ t: 'call', id: 1, name: 'createDemoJob', input: payloads.createDemoJob }));
            };
            ws.onmessage = () => {
              entry.answered = true;
              ws.close();
            };
            ws.onclose = () => resolve(entry);
          }),
        );
      }
    }
    return { sockets };
  }, args);
}

/** Everything an attacker could have changed, as the token holder reads it. */
async function engineState(ferry: ServedFerry): Promise<unknown> {
  const jobs = await ferry.call<{ total: number }>('listJobs', {});
  return {
    settings: await ferry.call('getSettings'),
    jobs: jobs.total,
    destinations: await ferry.call('listDestinations'),
    webhooks: await ferry.call('listWebhooks'),
    watch: await ferry.call('listWatchRules'),
    receiver: await ferry.call('getReceiver'),
    capabilities: await ferry.call('capabilities'),
  };
}

test.describe('a hostile page on another local origin cannot drive Ferry', () => {
  // About 500 requests and 90 form posts from a browser on a shared machine.
  test.setTimeout(180_000);
  test('every command over HTTP, form posts, staging and the WebSocket are refused, and nothing changes', async ({ page, context, ferry, temp }) => {
    // The user has Ferry open in this browser: whatever it keeps (cookies, storage) is present.
    await page.goto(ferry.url);
    await expect(page.getByTestId('connection-state')).toContainText(/connected/i);
    const staging = await ferry.call<{ uploadUrl: string; path: string }>('beginStaging');
    const before = await engineState(ferry);

    const hostile = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>cute cats</title><body></body>');
    });
    const listening = await listenOnLoopback(hostile);
    const marker = join(temp.make('ferry-sec-'), 'pwned');
    const ferryPort = new URL(ferry.url).port;
    try {
      for (const origin of [`http://127.0.0.1:${listening.port}`, `http://localhost:${listening.port}`]) {
        const evil = await context.newPage();
        await evil.goto(`${origin}/`);
        for (const target of [`http://127.0.0.1:${ferryPort}`, `http://localhost:${ferryPort}`]) {
          const report = await attack(evil, {
            target,
            wsTargets: [`ws://127.0.0.1:${ferryPort}/ws`, `ws://localhost:${ferryPort}/ws`],
            names: [...commandNames],
            payloads: payloads(marker),
            stagingPath: `${staging.uploadUrl}stolen.txt`,
          });
          expect(report.sockets.filter((s) => s.opened || s.answered), `${origin} → ${target}`).toEqual([]);
        }
        await evil.close();
      }
    } finally {
      await listening.close();
    }

    expect(await engineState(ferry)).toEqual(before);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(staging.path, 'stolen.txt'))).toBe(false);
    // The user's own tab still works.
    await expect(page.getByTestId('connection-state')).toContainText(/connected/i);
  });
});
