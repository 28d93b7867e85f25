import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../../shared/errors';
import { safeRelativePath } from '../../../main/receiver/safePath';
import { finalTree, incomingNames, startReceiverFixture, type ReceiverFixture } from './receiverFixture';
import { create, request } from './tusHttp';

describe('safeRelativePath: the one path validator', () => {
  it.each([
    ['run1/img 001.tif', ['run1', 'img 001.tif']],
    ['a', ['a']],
    ['.hidden/x', ['.hidden', 'x']],
    ['12:30:00.csv', ['12:30:00.csv']],
    ['..dots../x..y', ['..dots..', 'x..y']],
  ])('accepts %j', (value, segments) => {
    expect(safeRelativePath(value, 'p', { platform: 'linux' })).toEqual(segments);
  });

  it.each([
    ['', 'non-empty'],
    ['../etc/passwd', '".." segment'],
    ['a/../../b', '".." segment'],
    ['a/./b', '"." segment'],
    ['/etc/passwd', 'absolute'],
    ['a//b', 'empty segment'],
    ['a/', 'empty segment'],
    ['a\\..\\..\\b', 'backslash'],
    ['C:/Windows', 'drive letter'],
    ['c:evil', 'drive letter'],
    ['a\0b', 'NUL'],
    ['a\nb', 'control character'],
    ['x'.repeat(256), 'longer than 255'],
  ])('refuses %j (%s)', (value, reason) => {
    const attempt = () => safeRelativePath(value, 'p', { platform: 'linux' });
    expect(attempt).toThrow(FerryError);
    expect(attempt).toThrow(reason);
  });

  it('refuses non-strings', () => {
    expect(() => safeRelativePath(undefined, 'p')).toThrow('non-empty string');
    expect(() => safeRelativePath(42, 'p')).toThrow('non-empty string');
  });

  it('applies Windows naming rules only on win32', () => {
    for (const bad of ['a/CON', 'nul.txt', 'ab:c', 'x?', 'trailing.', 'space ']) {
      expect(() => safeRelativePath(bad, 'p', { platform: 'win32' })).toThrow(FerryError);
      expect(safeRelativePath(bad, 'p', { platform: 'linux' })).toHaveLength(bad.split('/').length);
    }
  });
});

describe('receiver: unsafe or incomplete metadata is refused at creation', () => {
  let fx: ReceiverFixture;
  beforeAll(async () => {
    fx = await startReceiverFixture();
  });
  afterAll(async () => {
    await fx.dispose();
  });

  it.each([
    [{ relativePath: '../escape.bin', dataset: 'ds' }, '".." segment'],
    [{ relativePath: 'ok.bin', dataset: '../../tmp' }, 'dataset'],
    [{ relativePath: '/abs/path.bin', dataset: 'ds' }, 'absolute'],
    [{ relativePath: 'a\\..\\..\\b.bin', dataset: 'ds' }, 'backslash'],
    [{ relativePath: 'a\0b', dataset: 'ds' }, 'NUL'],
    [{ relativePath: 'x.bin', dataset: '.incoming' }, 'reserved'],
    [{ relativePath: '.incoming/x.bin' }, 'reserved'],
    [{ dataset: 'ds' }, 'required'],
    [{ relativePath: 'x.bin', sha256: 'not-a-hash' }, '64 hex'],
  ])('%j → 400', async (metadata, reason) => {
    const answer = await create(fx.receiver.url, { length: 10, metadata: metadata as Record<string, string> });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain(reason);
    expect(answer.headers.location).toBeUndefined();
  });

  it('created nothing for the refused uploads', async () => {
    expect(await incomingNames(fx.storageDir)).toEqual([]);
    expect(await finalTree(fx.storageDir)).toEqual([]);
  });

  it('answers 501 to concatenation, which the file store does not support', async () => {
    const answer = await request(fx.receiver.url, {
      method: 'POST',
      headers: { 'Upload-Concat': 'partial', 'Upload-Length': '5' },
    });
    expect(answer.status).toBe(501);
  });
});
