import { join } from 'node:path';
import { expect, test } from './fixtures';
import { DestinationsPage } from './pages/destinationsPage';
import { JobsPage } from './pages/jobsPage';
import { UploadSheet } from './pages/uploadSheet';
import { dropFiles } from './support/dropFiles';
import { bytesOf, readTree } from './support/files';

test.describe('destinations', () => {
  test('a folder destination: add, test connection, make default, upload lands there', async ({ page, ferry, temp }) => {
    const target = temp.make('ferry-e2e-dest-');
    const dests = new DestinationsPage(page);
    await dests.shell.open(ferry.url);
    await dests.open();
    await expect(dests.card('This computer (built-in receiver)')).toBeVisible();
    await dests.addFolder('Lab archive', target);
    const result = await dests.test('Lab archive');
    await expect(result).toHaveAttribute('data-status', 'ok');
    await expect(result).toContainText('Connected');
    await expect(result).toContainText(/\d+ ms/);

    // A folder that does not exist fails the test with the engine's reason.
    await dests.addFolder('Missing share', join(target, 'not-mounted'));
    await expect(await dests.test('Missing share')).toHaveAttribute('data-status', /failed|error/);

    await dests.card('Lab archive').getByRole('button', { name: 'Set as default: Lab archive' }).click();
    await expect(dests.card('Lab archive').getByTestId('destination-default')).toBeVisible();

    const files = { 'a.txt': Buffer.from('alpha\n'), 'b.bin': bytesOf(200_000) };
    await dropFiles(page, Object.entries(files).map(([name, bytes]) => ({ name, bytes })));
    const sheet = new UploadSheet(page);
    await expect(sheet.root.getByLabel('Upload to')).toHaveValue(/.+/);
    await expect(sheet.root.getByLabel('Upload to').locator('option:checked')).toHaveText(/Lab archive/);
    await sheet.setName('to-archive');
    await sheet.start();
    const jobs = new JobsPage(page);
    await jobs.expectState('completed');
    expect(readTree(join(target, 'to-archive'), files)).toEqual({ 'a.txt': true, 'b.bin': true });

    // Deleting asks first.
    await dests.open();
    await dests.card('Missing share').getByRole('button', { name: 'Delete Missing share' }).click();
    await dests.shell.confirm('Delete destination');
    await expect(dests.card('Missing share')).toHaveCount(0);
  });

  test('the editor checks fields inline and keeps secrets write-only', async ({ page, ferry }) => {
    const dests = new DestinationsPage(page);
    await dests.shell.open(ferry.url);
    await dests.open();
    await dests.startAdding();
    await dests.chooseKind('tus server');
    await dests.field('Name').fill('Partner tus');
    await dests.field('Endpoint').fill('ftp://example.org/files');
    await dests.editor.getByRole('button', { name: 'Add destination' }).click();
    await expect(dests.editor.locator('.field-error').first()).toContainText('http');
    await dests.field('Endpoint').fill('http://127.0.0.1:9/files/');
    await dests.field('Chunk size (MiB)').fill('8');
    await dests.editor.getByRole('button', { name: 'Add header' }).click();
    await dests.field('Header 1 name').fill('X-Project');
    await dests.field('Header 1 value').fill('cryo-7');
    await dests.field('Header name').fill('Authorization');
    await dests.field('Header value').fill('Bearer s3cret-token');
    await dests.save();
    await expect(dests.card('Partner tus')).toContainText('Secret stored');

    await dests.edit('Partner tus');
    // Stored secrets are never sent back: the field offers only to replace them.
    await expect(dests.editor.getByTestId('secret-stored')).toBeVisible();
    await expect(dests.editor.locator('input[type="password"]')).toHaveCount(0);
    expect(await dests.editor.evaluate((el) => el.innerHTML.includes('s3cret-token'))).toBe(false);
    await expect(dests.field('Header 1 value')).toHaveValue('cryo-7');
    await dests.editor.getByRole('button', { name: 'Replace' }).click();
    await expect(dests.field('Header value')).toHaveValue('');
    await dests.editor.getByRole('button', { name: 'Keep the stored secret' }).click();
    await dests.field('Name').fill('Partner tus (EU)');
    await dests.save();
    await expect(dests.card('Partner tus (EU)')).toContainText('Secret stored');
    // Nothing listens on port 9: the test says so.
    await expect(await dests.test('Partner tus (EU)')).toHaveAttribute('data-status', /failed|error/);

    await dests.startAdding();
    await dests.chooseKind('S3');
    await dests.field('Name').fill('Bucket');
    await dests.field('Bucket').fill('Not_A_Bucket');
    await dests.field('Access key id').fill('AKIA');
    await dests.editor.getByRole('button', { name: 'Add destination' }).click();
    await expect(dests.editor).toContainText('A bucket name is lowercase');
    await expect(dests.editor).toContainText('An S3 destination needs its secret access key');
    await dests.editor.getByRole('button', { name: 'Cancel' }).click();
    await expect(dests.editor).toBeHidden();
  });
});
