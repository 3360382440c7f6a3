// Drives the running chat app in headless system Chromium (see tests/test_ui.py).
//
//   node chat.mjs URL SCREENSHOT.png    with UI_CASES='{"english": ..., "hindi": ..., "hostile": ...}'
//
// Prints a JSON report; exits 1 when a check fails.
import { chromium } from 'playwright-core';

const [url, screenshot] = [process.argv[2] || process.env.APP_URL, process.argv[3] || process.env.SCREENSHOT];
const cases = JSON.parse(process.env.UI_CASES || '{}');
const WAIT_MS = 45_000;
const DEVANAGARI_FONTS = /Lohit Devanagari|Noto Sans Devanagari|Noto Serif Devanagari/;

const failures = [];
const report = { external_requests: [], page_errors: [], checks: {} };
const check = (name, ok, detail = '') => {
  report.checks[name] = ok;
  if (!ok) failures.push(`${name}${detail ? `: ${detail}` : ''}`);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--no-first-run'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  // Nothing may leave the machine: record and refuse every request not to the app.
  await context.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === '127.0.0.1' || host === 'localhost') return route.continue();
    report.external_requests.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  let pagesOpened = 0;
  context.on('page', () => { pagesOpened += 1; });
  page.on('pageerror', (error) => report.page_errors.push(String(error)));

  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#question textarea', { timeout: WAIT_MS });
  let turn = 0;

  const ask = async (question) => {
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
  };

  const checkAnswer = async (name, answer, expected) => {
    check(`${name}: answer has a key fact`, expected.some((fact) => answer.text.includes(fact)),
      answer.text);
    check(`${name}: citation markers`, answer.markers.length > 0);
    const targets = await page.evaluate((hrefs) => hrefs.map(
      (href) => !!document.querySelector(`#sources ${href}`)), answer.markers);
    check(`${name}: every marker points into the sources panel`, targets.every(Boolean),
      JSON.stringify(answer.markers));
    const quote = await page.locator(`#sources li.source[id^="src-${turn}-"] mark`).first().innerText();
    check(`${name}: quote highlighted in its passage`, quote.trim().length > 10, quote);
  };

  const usedFonts = async (selector) => {
    const cdp = await context.newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    await cdp.detach();
    return fonts.map((f) => `${f.familyName} (${f.glyphCount})`);
  };

  // English, with the interface in its default language.
  const english = await ask(cases.english.question);
  await checkAnswer('english', english, cases.english.expect);
  await page.locator('#chat [data-testid="bot"]').last().locator('a.cite').first().click();
  await page.waitForTimeout(300);
  const jumped = await page.evaluate((href) => {
    const target = document.querySelector(href);
    const box = target && target.getBoundingClientRect();
    return location.hash === href && !!box && box.top < window.innerHeight && box.bottom > 0;
  }, english.markers[0]);
  check('english: a marker jumps to its source', jumped && pagesOpened === 0);

  // An article holding <script>, onerror and a javascript: link, shown as text.
  const hostile = await ask(cases.hostile.question);
  const panel = await page.locator('#sources').innerText();
  for (const literal of cases.hostile.literal) {
    check(`hostile: sources show ${literal} as text`, panel.includes(literal));
    check(`hostile: chat shows ${literal} as text`, hostile.text.includes(literal));
  }
  const live = await page.evaluate(() => ({
    pwned: typeof window.__pwned,
    scripts: document.querySelectorAll('#sources script, #chat .message-content script').length,
    images: document.querySelectorAll('#sources img, #chat .message-content img').length,
    handlers: [...document.querySelectorAll('#sources *, #chat .message-content *')]
      .filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
    jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
  }));
  check('hostile: nothing ran', live.pwned === 'undefined', JSON.stringify(live));
  check('hostile: no element was created from article text',
    live.scripts + live.images + live.handlers + live.jsLinks === 0, JSON.stringify(live));

  // The interface in Hindi, a fresh conversation, a Hindi question.
  await page.locator('#language').getByLabel('हिन्दी', { exact: true }).check();
  await page.waitForFunction(() => document.querySelector('#ask')?.innerText.trim() === 'पूछें',
    null, { timeout: WAIT_MS });
  check('labels follow the chosen language', true);
  await page.click('#new-conversation');
  await page.waitForFunction(() => !document.querySelector('#chat [data-testid="bot"]'), null,
    { timeout: WAIT_MS });
  turn = 0;
  const hindi = await ask(cases.hindi.question);
  await checkAnswer('hindi', hindi, cases.hindi.expect);
  const chatFonts = await usedFonts('#chat [data-testid="bot"] .message-content p');
  const passageFonts = await usedFonts('#sources .passage[lang="hi"]');
  report.fonts = { chat: chatFonts, passage: passageFonts };
  check('hindi: answer drawn with a Devanagari font', chatFonts.some((f) => DEVANAGARI_FONTS.test(f)),
    chatFonts.join(', '));
  check('hindi: passage drawn with a Devanagari font',
    passageFonts.some((f) => DEVANAGARI_FONTS.test(f)), passageFonts.join(', '));
  check('hindi: font available to the page',
    await page.evaluate(() => document.fonts.check('16px "Lohit Devanagari"')));
  await page.screenshot({ path: screenshot, fullPage: true });

  // The library lists the hostile title as text, too.
  await page.getByRole('tab', { name: 'लेख-संग्रह' }).click();
  const table = page.locator('#articles');
  await table.getByText(cases.hostile.title, { exact: false }).first()
    .waitFor({ timeout: WAIT_MS });
  check('library: hostile title shown as text', (await table.innerText()).includes(cases.hostile.title));
  check('still nothing ran', await page.evaluate(() => typeof window.__pwned === 'undefined'));

  check('no request left the machine', report.external_requests.length === 0,
    report.external_requests.join(' '));
} catch (error) {
  failures.push(`error: ${error.stack || error}`);
} finally {
  await browser.close();
}
report.failures = failures;
console.log(JSON.stringify(report, null, 2));
process.exit(failures.length ? 1 : 0);
