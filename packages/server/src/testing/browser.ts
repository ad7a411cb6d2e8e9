/**
 * Headless Chromium for the browser tests, driven by playwright-core: Debian's
 * /usr/bin/chromium (SENDBAY_TEST_CHROMIUM names another), a fresh profile per launch,
 * nothing downloaded. Without a browser the tests skip and say which variable to set.
 * Every page records console errors, page errors and CSP violations, which tests then
 * assert are none; axe-core is injected from node_modules.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const chromiumPath = process.env.SENDBAY_TEST_CHROMIUM ?? '/usr/bin/chromium';
/** A reason to skip, or undefined. When SENDBAY_TEST_CHROMIUM is set (CI sets it) a missing browser fails instead. */
export const browserMissing =
  existsSync(chromiumPath) || process.env.SENDBAY_TEST_CHROMIUM
    ? undefined
    : `no Chromium at ${chromiumPath}: install Debian's chromium or set SENDBAY_TEST_CHROMIUM`;

/** Where screenshots go (ignored by git; CI keeps them as artifacts). */
export const artifactsDir = new URL('../../../../artifacts/screenshots/', import.meta.url).pathname;

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface TestBrowser {
  context: BrowserContext;
  /** A new page that records its problems in `problems`. */
  page(opts?: { colorScheme?: 'light' | 'dark'; width?: number }): Promise<Page>;
  /** Console errors, uncaught errors and CSP violations seen on any page so far. */
  problems: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'sendbay-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: FLAGS,
    viewport: { width: 1100, height: 800 },
  });
  const problems: string[] = [];
  return {
    context,
    problems,
    async page(opts = {}) {
      const p = await context.newPage();
      if (opts.colorScheme) await p.emulateMedia({ colorScheme: opts.colorScheme });
      if (opts.width) await p.setViewportSize({ width: opts.width, height: 800 });
      p.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await p.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
        });
      });
      return p;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

let axeSource: string | undefined;

/** axe-core's serious and critical violations on the page, as "rule: target" lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
    violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(artifactsDir, { recursive: true });
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
}
