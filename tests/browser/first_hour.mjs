// A newcomer's first hour with the chat app, in headless system Chromium (see
// tests/test_ui.py): an empty index; their folder indexed through the folder box; an
// English and a Hindi example asked, a follow-up, a citation followed; the interface
// switched to Hindi (answers stay as they were); a file of their own uploaded and asked
// about; a file removed; the app on a 390 px wide phone screen.
//
//   node first_hour.mjs URL SCREENSHOT_DIR    with UI_WALK='{"folder": ..., "english": ..., ...}'
//
// Leaves one PNG per step in SCREENSHOT_DIR; prints a JSON report; exits 1 when a check fails.
import {
  DEVANAGARI_FONTS, WAIT_MS, chatOn, citationShown, finish, launchChromium, newReport, openApp,
  usedFonts,
} from './harness.mjs';

const [url, shots] = [process.argv[2], process.argv[3]];
const walk = JSON.parse(process.env.UI_WALK || '{}');
const { report, check } = newReport();
const WIDE = { width: 1000, height: 800 };
const PHONE = { width: 390, height: 844 };

const examplesShown = (page) => page.evaluate(() => {
  const block = document.querySelector('#examples');
  if (!block || block.offsetParent === null) return null;
  return [...block.querySelectorAll('button')].map((b) => b.innerText.trim());
});

const browser = await launchChromium();
try {
  const { context, page } = await openApp(browser, url, report, WIDE);
  const chat = chatOn(page);
  // Each step seen from the top of the page, but for the citation, seen where it led.
  const shot = async (name, { scrolled = false } = {}) => {
    if (!scrolled) await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${shots}/${name}.png` });
  };
  const reportText = () => page.locator('#report textarea').inputValue();
  const waitForReport = (start) => page.waitForFunction(
    (text) => document.querySelector('#report textarea')?.value.startsWith(text), start,
    { timeout: WAIT_MS * 3 });
  const chooseExample = async (question) => {
    // The examples show a question cut short; the click fills in the whole of it.
    await page.locator('#examples button', { hasText: question.slice(0, 30) }).click();
    await page.waitForFunction((q) => document.querySelector('#question textarea')?.value === q,
      question, { timeout: WAIT_MS });
  };
  const citesFile = (file) => page.locator(`#sources li.source[id^="src-${chat.turn}-"]`)
    .allInnerTexts().then((items) => items.some((text) => text.includes(file)));

  // 1. An empty index: no examples to offer.
  await page.waitForTimeout(1000); // the page's load event refreshes the examples
  check('empty index: no examples shown', (await examplesShown(page)) === null,
    JSON.stringify(await examplesShown(page)));
  await shot('01-empty-index');

  // 2. Their folder, through the folder box of the library tab.
  await page.getByRole('tab', { name: 'Library' }).click();
  await page.fill('#folder input, #folder textarea', walk.folder);
  await page.click('#add-folder');
  await waitForReport('articles indexed: ');
  const ingested = await reportText();
  check('folder indexed', /articles indexed: [1-9]/.test(ingested) && /files skipped: 0/.test(ingested),
    ingested);
  await page.locator('#articles').getByText(walk.english.file).first().waitFor({ timeout: WAIT_MS });
  await shot('02-folder-indexed');

  // 3. The examples now offered; an English one asked.
  await page.getByRole('tab', { name: 'Ask' }).click();
  const offered = await examplesShown(page);
  check('examples offered once their articles are indexed', !!offered && offered.length >= 2,
    JSON.stringify(offered));
  await chooseExample(walk.english.question);
  const english = await chat.ask(walk.english.question);
  check('english example answered', english.text.includes(walk.english.expect), english.text);
  check('english example cites its article', await citesFile(walk.english.file));
  await shot('03-english-example');

  // 4. Its citation [1] followed to the sources panel.
  await english.bot.locator('a.cite').first().click();
  await page.waitForTimeout(300);
  const shown = await citationShown(page, english.markers[0]);
  check('citation [1] scrolls to its source and marks it', shown.hash && shown.inView && shown.marked,
    JSON.stringify(shown));
  await shot('04-citation-followed', { scrolled: true });

  // 5. A Hindi example, then 6. a follow-up that needs it.
  await chooseExample(walk.hindi.question);
  const hindi = await chat.ask(walk.hindi.question);
  check('hindi example answered', hindi.text.includes(walk.hindi.expect), hindi.text);
  check('hindi example cites its article', await citesFile(walk.hindi.file));
  await shot('05-hindi-example');
  const followUp = await chat.ask(walk.follow_up.question);
  check('follow-up answered from the conversation', followUp.text.includes(walk.follow_up.expect),
    followUp.text);
  await shot('06-follow-up');

  // 7. The interface in Hindi: what was answered stays as it was, and answers keep their language.
  const answersBefore = await page.locator('#chat [data-testid="bot"]').allInnerTexts();
  const panelBefore = await page.locator('#sources').innerText();
  await page.locator('#language').getByLabel('हिन्दी', { exact: true }).check();
  await page.waitForFunction(() => document.querySelector('#ask')?.innerText.trim() === 'पूछें',
    null, { timeout: WAIT_MS });
  await page.waitForTimeout(500);
  check('switch: the answers shown are unchanged',
    JSON.stringify(await page.locator('#chat [data-testid="bot"]').allInnerTexts()) === JSON.stringify(answersBefore));
  check('switch: the sources panel is unchanged', (await page.locator('#sources').innerText()) === panelBefore);
  await page.click('#new-conversation');
  await page.waitForFunction(() => !document.querySelector('#chat [data-testid="bot"]'), null,
    { timeout: WAIT_MS });
  chat.newConversation();
  await chooseExample(walk.english.question);
  const again = await chat.ask(walk.english.question);
  check('switch: an English question is still answered in English', again.text === english.text,
    `${again.text} / ${english.text}`);
  await shot('07-hindi-interface');

  // 8. Gradio's own words in Hindi; a file of their own uploaded.
  await page.getByRole('tab', { name: 'लेख-संग्रह' }).click();
  await page.waitForTimeout(500);
  const library = await page.locator('body').innerText();
  for (const english of ['Drop File Here', 'Click to Upload', 'Built with Gradio']) {
    check(`hindi interface: no "${english}"`, !library.includes(english));
  }
  for (const hindi of ['फ़ाइल यहाँ छोड़ें', 'Gradio के साथ बनाया गया']) {
    check(`hindi interface: "${hindi}"`, library.includes(hindi));
  }
  const probed = await page.evaluate(() => {
    // The element holding a Devanagari cell text itself: fonts are counted per text node.
    const texts = document.createTreeWalker(document.querySelector('#articles'), NodeFilter.SHOW_TEXT);
    while (texts.nextNode()) {
      const cell = texts.currentNode.parentElement;
      if (cell.closest('[class*="cell"]') && cell.offsetParent !== null
          && /[\u0900-\u097F]/.test(texts.currentNode.textContent)) {
        cell.setAttribute('data-probe', 'hindi-title');
        return true;
      }
    }
    return false;
  });
  const tableFonts = probed ? await usedFonts(context, page, '[data-probe="hindi-title"]') : [];
  report.fonts = { table: tableFonts };
  check('library table: a Hindi title in the body font, with Devanagari',
    tableFonts.some((f) => DEVANAGARI_FONTS.test(f)) && !tableFonts.some((f) => /Mono/.test(f)),
    tableFonts.join(', '));
  await page.setInputFiles('#upload input[type="file"]', walk.upload.path);
  await page.locator('#upload').getByText(walk.upload.name).first().waitFor({ timeout: WAIT_MS });
  await page.click('#add-files');
  await waitForReport('इंडेक्स हुए लेख: 1');
  await shot('08-own-file-uploaded');

  // 9. A question about it.
  await page.getByRole('tab', { name: 'पूछें' }).click();
  const own = await chat.ask(walk.upload.question);
  check('own file answered', own.text.includes(walk.upload.expect), own.text);
  check('own file cited', await citesFile(walk.upload.name));
  await shot('09-own-file-answered');

  // Removing an article takes its example away.
  await page.getByRole('tab', { name: 'लेख-संग्रह' }).click();
  await page.locator('#to-remove input').fill(walk.english.file);
  await page.getByRole('option', { name: new RegExp(walk.english.file.replace('.', '\\.')) }).click();
  await page.click('#remove');
  await waitForReport('इंडेक्स से 1 फ़ाइल');
  await page.getByRole('tab', { name: 'पूछें' }).click();
  const left = await examplesShown(page);
  check('removal: its example is no longer offered',
    !!left && !left.some((q) => walk.english.question.startsWith(q.replace(/\.\.\.$/, ''))),
    JSON.stringify(left));

  // 10. On a phone: the sources come right after the conversation and the question box.
  const phone = await openApp(browser, url, report, PHONE);
  await chatOn(phone.page).ask(walk.hindi.question);
  const order = await phone.page.evaluate(() => Object.fromEntries(
    ['#question', '#sources', '#examples'].map((s) => [s, document.querySelector(s).getBoundingClientRect().top])));
  check('phone: the sources follow the question box, before the examples',
    order['#question'] < order['#sources'] && order['#sources'] < order['#examples'], JSON.stringify(order));
  await phone.page.screenshot({ path: `${shots}/10-phone-390px.png`, fullPage: true });
  const hindiFonts = await usedFonts(phone.context, phone.page, '#chat [data-testid="bot"] .message-content p');
  check('phone: the Hindi answer is drawn with a Devanagari font',
    hindiFonts.some((f) => DEVANAGARI_FONTS.test(f)), hindiFonts.join(', '));
} catch (error) {
  check('error', false, error.stack || String(error));
} finally {
  await browser.close();
}
finish(report, check);
