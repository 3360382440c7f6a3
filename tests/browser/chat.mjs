// Drives the running chat app in headless system Chromium (see tests/test_ui.py).
//
//   node chat.mjs URL SCREENSHOT.png    with UI_CASES='{"english": ..., "hindi": ..., "hostile": ...}'
//
// Prints a JSON report; exits 1 when a check fails.
import {
  DEVANAGARI_FONTS, WAIT_MS, chatOn, citationShown, finish, launchChromium, newReport, openApp,
  usedFonts,
} from './harness.mjs';

const [url, screenshot] = [process.argv[2] || process.env.APP_URL, process.argv[3] || process.env.SCREENSHOT];
const cases = JSON.parse(process.env.UI_CASES || '{}');
const { report, check } = newReport();

const browser = await launchChromium();
try {
  const { context, page } = await openApp(browser, url, report, { width: 1400, height: 1000 });
  let pagesOpened = 0;
  context.on('page', () => { pagesOpened += 1; });
  const chat = chatOn(page);

  const checkAnswer = async (name, answer, expected) => {
    check(`${name}: answer has a key fact`, expected.some((fact) => answer.text.includes(fact)),
      answer.text);
    check(`${name}: citation markers`, answer.markers.length > 0);
    const targets = await page.evaluate((hrefs) => hrefs.map(
      (href) => !!document.querySelector(`#sources ${href}`)), answer.markers);
    check(`${name}: every marker points into the sources panel`, targets.every(Boolean),
      JSON.stringify(answer.markers));
    const quote = await page.locator(`#sources li.source[id^="src-${chat.turn}-"] mark`).first().innerText();
    check(`${name}: quote highlighted in its passage`, quote.trim().length > 10, quote);
  };

  // English, with the interface in its default language.
  const english = await chat.ask(cases.english.question);
  await checkAnswer('english', english, cases.english.expect);
  await english.bot.locator('a.cite').first().click();
  await page.waitForTimeout(300);
  const jumped = await citationShown(page, english.markers[0]);
  check('english: a marker jumps to its source', jumped.hash && jumped.inView && pagesOpened === 0,
    JSON.stringify(jumped));

  // An article holding <script>, onerror and a javascript: link, shown as text.
  const hostile = await chat.ask(cases.hostile.question);
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
  chat.newConversation();
  const hindi = await chat.ask(cases.hindi.question);
  await checkAnswer('hindi', hindi, cases.hindi.expect);
  const chatFonts = await usedFonts(context, page, '#chat [data-testid="bot"] .message-content p');
  const passageFonts = await usedFonts(context, page, '#sources .passage[lang="hi"]');
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
} catch (error) {
  check('error', false, error.stack || String(error));
} finally {
  await browser.close();
}
finish(report, check);
