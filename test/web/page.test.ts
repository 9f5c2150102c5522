import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { chromium, type Browser, type BrowserContextOptions, type FileChooser, type Locator, type Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { ERRORS } from '../../src/errors.js';
import { projectRoot } from '../../src/paths.js';
import { startApp, tempDir } from '../helpers/app.js';
import { notAPdf, textPdf } from '../helpers/fixtures.js';

/**
 * The web page at / in headless Chromium against a real server (real queue, worker threads
 * and PDFs): submit, follow progress, download, errors, API keys, keyboard and phone width.
 */
const INVALID_FILE_TYPE_TEXT = 'This file is not of a type this operation accepts.';

/** Debian's chromium package (installed by .ci/run), driven by playwright-core. */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];

/** Screenshots land here (git-ignored) so a failing or passing run can be looked at. */
const ARTIFACTS = path.join(projectRoot, 'test', 'web', 'artifacts');

/**
 * The page's script is compiled from web/src (web/tsconfig.json → public/app.js). Rebuilt here
 * when missing or older than its sources, so the browser never runs a stale script.
 */
function ensurePageBuilt(): void {
  const out = path.join(projectRoot, 'public', 'app.js');
  const srcDir = path.join(projectRoot, 'web', 'src');
  const sources = [path.join(projectRoot, 'web', 'tsconfig.json'), ...readdirSync(srcDir).map((f) => path.join(srcDir, f))];
  const built = existsSync(out) ? statSync(out).mtimeMs : 0;
  if (sources.every((s) => statSync(s).mtimeMs <= built)) return;
  const tsc = path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(projectRoot, 'web', 'tsconfig.json')], { stdio: 'inherit' });
}

/** The browser for a test file, or undefined after failing the test with what to install. */
async function launchBrowser(t: Test): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    t.fail(
      `Chromium is not installed at ${CHROMIUM}: the web page tests need the Debian packages chromium and ` +
        'chromium-driver (apt-get install -y chromium chromium-driver; .ci/run installs them).',
    );
    return undefined;
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  t.teardown(() => browser.close());
  mkdirSync(ARTIFACTS, { recursive: true });
  return browser;
}

interface OpenPage {
  page: Page;
  /** Uncaught exceptions and CSP violations seen by the page; a test ends by checking it is empty. */
  problems: string[];
}

/** A fresh context (own sessionStorage) on the page, waiting until it has loaded the capabilities. */
async function openPage(t: Test, browser: Browser, baseUrl: string, opts: BrowserContextOptions & { waitReady?: boolean } = {}): Promise<OpenPage> {
  const { waitReady = true, ...contextOptions } = opts;
  const context = await browser.newContext({ acceptDownloads: true, ...contextOptions });
  t.teardown(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  await page.goto(baseUrl);
  if (waitReady) await page.locator('body[data-ready=true]').waitFor();
  return { page, problems };
}

t.test('the CSP lets the page load over plain HTTP on a LAN address', async (t) => {
  // With upgrade-insecure-requests a browser on http://192.168.x.x:5000/ fetches app.js,
  // style.css and every API call as https:// and the page stays blank (loopback is exempt,
  // so the browser tests below would not notice).
  const { app } = await startApp(t, {}, { dispatch: false });
  const csp = String((await app.inject({ method: 'GET', url: '/' })).headers['content-security-policy']);
  t.notMatch(csp, /upgrade-insecure-requests/, 'no upgrade-insecure-requests in the CSP (src/http/security.ts)');
  t.match(csp, /script-src[^;]*'self'/, 'app.js is allowed');
});

t.test('every error code of src/errors.ts has a friendly message on the page', async (t) => {
  const source = readFileSync(path.join(projectRoot, 'web', 'src', 'messages.ts'), 'utf8');
  for (const code of Object.keys(ERRORS)) t.match(source, new RegExp(`\\n\\s+${code}: '`), code);
});

t.test('the page in headless Chromium', async (t) => {
  ensurePageBuilt();
  const browser = await launchBrowser(t);
  if (browser) await browserTests(t, browser);
});

async function browserTests(t: Test, browser: Browser) {
  const { app } = await startApp(t);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });

  t.test('compress a PDF: progress reaches done, the download is the same document', async (t) => {
    const { page, problems } = await openPage(t, browser, base);
    const pdf = await textPdf(3);
    await page.locator('#file-input').setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: pdf });
    await page.getByRole('button', { name: 'Compress', exact: true }).click();
    const job = await finished(page, 'report.pdf');
    t.equal(await job.getAttribute('data-status'), 'completed');
    t.equal(await job.locator('progress').getAttribute('value'), '100', 'the progress bar is full');
    t.match(await job.locator('.job-status').textContent(), /^Done/);
    t.match(await job.locator('.job-result').textContent(), /→.*(smaller|no smaller)/, 'sizes shown');
    t.ok(await job.getByRole('button', { name: /^Cancel/ }).isHidden(), 'nothing left to cancel');
    await page.locator('#status-region', { hasText: 'report.pdf: done' }).waitFor({ state: 'attached' });
    t.pass('announced to screen readers');

    const file = await download(t, page, job.getByRole('link', { name: /Download result/ }));
    t.match(path.basename(file), /report_compressed\.pdf$/);
    const doc = await PDFDocument.load(readFileSync(file));
    t.equal(doc.getPageCount(), 3, 'same page count');
    await page.screenshot({ path: path.join(ARTIFACTS, 'compress-done.png'), fullPage: true });
    t.same(problems, [], 'no script errors or CSP violations');
  });

  t.test('an HTML file named .pdf shows INVALID_FILE_TYPE in words, with the server message', async (t) => {
    const { page, problems } = await openPage(t, browser, base);
    await page.locator('#file-input').setInputFiles({ name: 'fake.pdf', mimeType: 'application/pdf', buffer: notAPdf });
    await page.getByRole('button', { name: 'Compress', exact: true }).click();
    const job = page.locator('#jobs li.job', { hasText: 'fake.pdf' });
    await job.and(page.locator('[data-status=rejected]')).waitFor();
    const problem = job.locator('.problem');
    t.equal(await problem.getAttribute('data-code'), 'INVALID_FILE_TYPE');
    t.match(await problem.textContent(), INVALID_FILE_TYPE_TEXT);
    t.match(await problem.textContent(), /Error code: INVALID_FILE_TYPE/);
    await page.locator('#alert-region', { hasText: INVALID_FILE_TYPE_TEXT }).waitFor({ state: 'attached' });
    t.pass('announced as an alert');
    await page.screenshot({ path: path.join(ARTIFACTS, 'invalid-file.png'), fullPage: true });
    t.same(problems, []);
  });

  t.test('bulk: one zip and per-file links; a refused file is listed; file names stay text', async (t) => {
    const { page, problems } = await openPage(t, browser, base);
    await page.getByLabel('Bulk compress (one zip)').check();
    const evil = '<img src=x onerror="window.__xss=1">.pdf';
    await page.locator('#file-input').setInputFiles([
      { name: 'a.pdf', mimeType: 'application/pdf', buffer: await textPdf(2) },
      { name: evil, mimeType: 'application/pdf', buffer: notAPdf },
      { name: 'b.pdf', mimeType: 'application/pdf', buffer: await textPdf(1) },
    ]);
    t.match(await page.locator('#file-list').textContent(), evil, 'the name is shown as text');
    await page.getByRole('button', { name: 'Compress all', exact: true }).click();
    const job = await finished(page, 'a.pdf');
    t.equal(await job.getAttribute('data-status'), 'completed');
    t.match(await job.locator('.job-title').textContent(), evil);
    t.equal(await page.evaluate('typeof window.__xss'), 'undefined', 'no markup from a file name ran');
    t.match(await job.locator('.job-result').textContent(), /2 of 3 files compressed/);
    t.match(await job.locator('.bulk-files .problem').textContent(), INVALID_FILE_TYPE_TEXT, 'the refused file says why');

    const zip = readFileSync(await download(t, page, job.getByRole('link', { name: /Download all \(zip\)/ })));
    t.equal(zip.subarray(0, 2).toString('latin1'), 'PK', 'a zip');
    const perFile = job.locator('.bulk-files').getByRole('link', { name: /^Download/ });
    t.equal(await perFile.count(), 2, 'one link per compressed file');
    const first = await PDFDocument.load(readFileSync(await download(t, page, perFile.first())));
    t.equal(first.getPageCount(), 2, 'a.pdf alone, same page count');
    await page.screenshot({ path: path.join(ARTIFACTS, 'bulk-done.png'), fullPage: true });
    t.same(problems, []);
  });

  t.test('OCR: the page sends the chosen languages, mode and page handling; optimize and sidecar only with a PDF output', async (t) => {
    const { page, problems } = await openPage(t, browser, base);
    await page.getByLabel('OCR (recognise text)').check();
    t.ok(await page.getByLabel('Turn sideways and upside-down pages upright').isChecked(), 'rotatePages on by default, as on the server');
    t.notOk(await page.getByLabel('Straighten skewed pages').isChecked(), 'deskew off by default');
    t.ok(await page.getByLabel('Make the searchable PDF smaller').isChecked(), 'optimize on by default');
    await page.getByLabel('Output').selectOption('text');
    t.ok(await page.getByLabel('Make the searchable PDF smaller').isHidden(), 'optimize is hidden for text output');
    t.ok(await page.getByLabel('Also give the recognised text (both in one zip)').isHidden(), 'so is sidecar');
    await page.getByLabel('Output').selectOption('searchable_pdf');
    await page.getByLabel('Pages that already have text').selectOption('redo');
    await page.getByLabel('Straighten skewed pages').check();
    await page.getByLabel('Also give the recognised text (both in one zip)').check();
    await page.getByLabel('Detect the language (among those above)').check();
    t.ok(await page.getByLabel('English (eng)').isDisabled(), 'the languages step aside for auto');
    // A text PDF: mode redo finds no old OCR layer on it, so nothing is read and the job is quick.
    await page.locator('#file-input').setInputFiles({ name: 'letter.pdf', mimeType: 'application/pdf', buffer: await textPdf(1) });
    await page.getByRole('button', { name: 'Run OCR', exact: true }).click();
    const job = await finished(page, 'letter.pdf');
    t.equal(await job.getAttribute('data-status'), 'completed');
    // What the server made of the form: the job's own result echoes each option it applied.
    const view = (await (await fetch(`${base}/api/jobs/${await job.getAttribute('data-job-id')}`)).json()) as { result: Record<string, unknown> };
    t.match(view.result, { output_format: 'searchable_pdf', mode: 'redo', rotate_pages: true, deskew: true, sidecar: true, optimize: Object }, 'mode, rotatePages, deskew, sidecar and optimize were sent');
    t.equal(typeof view.result.language, 'string', 'a language was chosen for "auto"');
    const zip = readFileSync(await download(t, page, job.getByRole('link', { name: /Download/ }).first()));
    t.equal(zip.subarray(0, 2).toString('latin1'), 'PK', 'the sidecar result is a zip');
    t.same(problems, []);
  });

  t.test('without the event stream the page polls and still reaches done', async (t) => {
    const { page, problems } = await openPage(t, browser, base);
    await page.route('**/api/jobs/*/events**', (route) => route.abort());
    await page.locator('#file-input').setInputFiles({ name: 'polled.pdf', mimeType: 'application/pdf', buffer: await textPdf(1) });
    await page.getByRole('button', { name: 'Compress', exact: true }).click();
    const job = await finished(page, 'polled.pdf');
    t.equal(await job.getAttribute('data-status'), 'completed');
    t.same(problems, []);
  });

  t.test('a route the server lacks (404) shows as unavailable instead of breaking', async (t) => {
    const { page, problems } = await openPage(t, browser, base);
    const convert = page.getByLabel('Convert', { exact: true });
    if (await convert.isDisabled()) {
      t.pass('convert is already shown as unavailable on this server');
    } else {
      await page.route('**/api/convert', (route) =>
        route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ success: false, error: { code: 'NOT_FOUND', message: 'No route POST /api/convert.' } }) }),
      );
      await convert.check();
      await page.locator('#file-input').setInputFiles({ name: 'c.pdf', mimeType: 'application/pdf', buffer: await textPdf(1) });
      await page.getByRole('button', { name: 'Convert', exact: true }).click();
      const job = page.locator('#jobs li.job[data-status=rejected]', { hasText: 'c.pdf' });
      await job.waitFor();
      t.match(await job.locator('.problem').textContent(), /not available on this server/);
      t.ok(await convert.isDisabled(), 'the operation is now marked unavailable');
      t.match(await page.locator('#op-convert-note').textContent(), /Unavailable/);
    }
    t.same(problems, []);
  });

  t.test('an operation missing from the OpenAPI document is disabled with its reason', async (t) => {
    const context = await browser.newContext();
    t.teardown(() => context.close());
    const page = await context.newPage();
    await page.route('**/docs/json', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ openapi: '3.0.3', paths: { '/api/compress': {}, '/api/bulk': {} } }) }),
    );
    await page.goto(base);
    await page.locator('body[data-ready=true]').waitFor();
    t.ok(await page.getByLabel('OCR (recognise text)').isDisabled());
    t.match(await page.locator('#op-ocr-note').textContent(), /Unavailable: not offered by this server yet/);
    t.ok(await page.getByLabel('Compress', { exact: true }).isEnabled());
  });

  t.test('keyboard only: Tab to the drop zone, Enter and Space open the chooser, submit and download', async (t) => {
    const { page, problems } = await openPage(t, browser, base);
    // Listening before any key is pressed: Playwright turns on file-chooser interception
    // asynchronously, and a chooser opened before that never reaches the test.
    const choosers: FileChooser[] = [];
    page.on('filechooser', (c) => choosers.push(c));
    const nextChooser = async () => (choosers.shift() ?? (await page.waitForEvent('filechooser'), choosers.shift()!));
    await tabTo(t, page, 'drop-zone');
    t.not(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle'), 'none', 'focus is visible');
    await page.keyboard.press('Enter');
    const chooser = await nextChooser();
    await chooser.setFiles({ name: 'keyboard.pdf', mimeType: 'application/pdf', buffer: await textPdf(2) });
    await tabTo(t, page, 'submit');
    await page.keyboard.press('Enter');
    const job = await finished(page, 'keyboard.pdf');
    t.equal(await job.getAttribute('data-status'), 'completed');
    await job.getByRole('link', { name: /Download result/ }).focus();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    const file = path.join(tempDir(t), dl.suggestedFilename());
    await dl.saveAs(file);
    t.equal((await PDFDocument.load(readFileSync(file))).getPageCount(), 2);
    // Last: a chooser left open would keep the next one from opening.
    await page.locator('#drop-zone').focus();
    await page.keyboard.press('Space');
    const spaceChooser = await nextChooser();
    t.ok(spaceChooser.isMultiple(), 'Space opens the chooser too');
    t.same(problems, []);
  });

  t.test('at 360 px wide nothing scrolls sideways, even with a long file name', async (t) => {
    const { page, problems } = await openPage(t, browser, base, { viewport: { width: 360, height: 780 } });
    const name = `${'a-very-long-file-name-without-spaces'.repeat(4)}.pdf`;
    await page.locator('#file-input').setInputFiles({ name, mimeType: 'application/pdf', buffer: await textPdf(1) });
    await page.getByRole('button', { name: 'Compress', exact: true }).click();
    await finished(page, 'a-very-long');
    t.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true, 'no horizontal scroll');
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone-360.png'), fullPage: true });
    t.same(problems, []);
  });

  const keyed = await startApp(t, { API_KEYS: 'web-test-key' });
  const keyedBase = await keyed.app.listen({ port: 0, host: '127.0.0.1' });

  t.test('with API_KEYS the page asks for the key, keeps it in sessionStorage and then works', async (t) => {
    const { page, problems } = await openPage(t, browser, keyedBase, { waitReady: false });
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    const keyField = page.getByRole('textbox', { name: 'API key' });
    await keyField.waitFor();
    t.match(await page.locator('#key-message').textContent(), /needs an API key/);
    await keyField.fill('wrong-key');
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.locator('#key-message', { hasText: 'did not accept' }).waitFor();
    t.equal(await keyField.getAttribute('aria-invalid'), 'true');
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-key-asked.png'), fullPage: true });
    await keyField.fill('web-test-key');
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.locator('body[data-ready=true]').waitFor();
    t.ok(await page.locator('#key-section').isHidden(), 'the key form goes away');
    t.equal(await page.evaluate("sessionStorage.getItem('pdf-smaller.api-key')"), 'web-test-key');
    t.equal(await page.evaluate('localStorage.length'), 0, 'nothing in localStorage');

    await page.locator('#file-input').setInputFiles({ name: 'locked.pdf', mimeType: 'application/pdf', buffer: await textPdf(2) });
    await page.getByRole('button', { name: 'Compress', exact: true }).click();
    const job = await finished(page, 'locked.pdf');
    t.equal(await job.getAttribute('data-status'), 'completed', 'followed through the signed event stream link');
    t.notOk(requested.some((u) => /api_key/.test(u)), 'the key never goes into a URL');
    const doc = await PDFDocument.load(readFileSync(await download(t, page, job.getByRole('link', { name: /Download result/ }))));
    t.equal(doc.getPageCount(), 2);
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-key-done.png'), fullPage: true });
    t.same(problems, []);
  });

  t.test('Swagger UI runs under the CSP (no inline scripts allowed)', async (t) => {
    const { page, problems } = await openPage(t, browser, `${keyedBase}/docs`, { waitReady: false });
    await page.locator('.swagger-ui .opblock').first().waitFor();
    t.ok((await page.locator('.swagger-ui .opblock').count()) >= 20, 'the operations are listed');
    t.same(problems, [], 'no CSP violation, no page error');
  });

  const idle = await startApp(t, {}, { dispatch: false });
  const idleBase = await idle.app.listen({ port: 0, host: '127.0.0.1' });

  t.test('cancel a waiting job', async (t) => {
    const { page, problems } = await openPage(t, browser, idleBase);
    await page.locator('#file-input').setInputFiles({ name: 'waiting.pdf', mimeType: 'application/pdf', buffer: await textPdf(1) });
    await page.getByRole('button', { name: 'Compress', exact: true }).click();
    const job = page.locator('#jobs li.job', { hasText: 'waiting.pdf' });
    await job.and(page.locator('[data-status=pending]')).waitFor();
    const id = await job.getAttribute('data-job-id');
    await job.getByRole('button', { name: /Cancel/ }).click();
    await job.and(page.locator('[data-status=cancelled]')).waitFor();
    const row = (await idle.app.inject({ method: 'GET', url: `/api/jobs/${id}` })).json();
    t.equal(row.status, 'cancelled', 'cancelled on the server');
    t.ok(await job.getByRole('button', { name: /Remove from list/ }).isVisible());
    t.same(problems, []);
  });
}

/** The job card whose title contains `name`, once its status is final. */
async function finished(page: Page, name: string): Promise<Locator> {
  const job = page.locator('#jobs li.job', { hasText: name }).first();
  await job.and(page.locator('[data-status=completed], [data-status=failed], [data-status=rejected], [data-status=cancelled]')).waitFor({ timeout: 120_000 });
  return job;
}

/** Clicks a download link and saves the file; returns its path (named as the server suggests). */
async function download(t: Test, page: Page, link: Locator): Promise<string> {
  const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const file = path.join(tempDir(t), dl.suggestedFilename());
  await dl.saveAs(file);
  return file;
}

/** Presses Tab until the element with this id has focus (bounded, so a trap fails the test). */
async function tabTo(t: Test, page: Page, id: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate('document.activeElement && document.activeElement.id')) === id) return;
  }
  t.fail(`#${id} was not reached with Tab`);
}
