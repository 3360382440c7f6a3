// What the browser scripts share: headless system Chromium cut off from the network,
// named checks gathered into one JSON report, and asking a question in the chat.
import { chromium } from 'playwright-core';

export const WAIT_MS = 45_000;
export const DEVANAGARI_FONTS = /Lohit Devanagari|Noto Sans Devanagari|Noto Serif Devanagari/;

export function newReport() {
  const failures = [];
  const report = { external_requests: [], page_errors: [], checks: {}, failures };
  const check = (name, ok, detail = '') => {
    report.checks[name] = ok;
    if (!ok) failures.push(`${name}${detail ? `: ${detail}` : ''}`);
  };
  return { report, check };
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--no-first-run'],
  });
}

// A page on `url` whose every request not to this machine is recorded and refused.
export async function openApp(browser, url, report, viewport) {
  const context = await browser.newContext({ viewport });
  await context.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === '127.0.0.1' || host === 'localhost') return route.continue();
    report.external_requests.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => report.page_errors.push(String(error)));
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#question textarea', { timeout: WAIT_MS });
  return { context, page };
}

// Asks in the chat and waits for the sources of this turn; `newConversation` restarts the count.
export function chatOn(page) {
  let turn = 0;
  return {
    get turn() { return turn; },
    newConversation() { turn = 0; },
    async ask(question) {
      turn += 1;
      await page.fill('#question textarea', question);
      await page.press('#question textarea', 'Enter');
      await page.waitForSelector(`#sources li.source[id^="src-${turn}-"]`, { timeout: WAIT_MS });
      const bot = page.locator('#chat [data-testid="bot"]').last();
      return {
        bot,
        text: await bot.innerText(),
        markers: await bot.locator('a.cite').evaluateAll((links) => links.map((a) => a.getAttribute('href'))),
      };
    },
  };
}

// The fonts Chromium drew the first node matching `selector` with, "family (glyphs)".
export async function usedFonts(context, page, selector) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  await cdp.detach();
  return fonts.map((f) => `${f.familyName} (${f.glyphCount})`);
}

// Whether the link `href` (a source's anchor) now has its source in view and marked.
export function citationShown(page, href) {
  return page.evaluate((target) => {
    const source = document.querySelector(target);
    const box = source && source.getBoundingClientRect();
    return {
      hash: location.hash === target,
      inView: !!box && box.top < window.innerHeight && box.bottom > 0,
      marked: !!source && source.matches(':target') && getComputedStyle(source).outlineStyle !== 'none',
    };
  }, href);
}

export function finish(report, check) {
  check('no request left the machine', report.external_requests.length === 0,
    report.external_requests.join(' '));
  check('no error on the page', report.page_errors.length === 0, report.page_errors.join(' '));
  console.log(JSON.stringify(report, null, 2));
  process.exit(report.failures.length ? 1 : 0);
}
