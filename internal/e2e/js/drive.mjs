// Drives headless Chromium (Debian's, through playwright-core: no browser
// download) to the test page, waits for the page to finish, takes a
// screenshot and prints what the page shows as one JSON line for js_test.go.
// Console messages, page errors and failed requests go to stderr, so that a
// failure (a CORS refusal shows as a failed request) explains itself.
import { chromium } from "playwright-core";
import { report, run, step } from "./lib.mjs";

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} must be set (js_test.go sets it)`);
  return v;
};

run(async () => {
  const url = env("COGNITOD_PAGE_URL");
  const shot = env("COGNITOD_SCREENSHOT");
  const browser = await chromium.launch({
    executablePath: env("COGNITOD_CHROMIUM"),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    timeout: 180e3,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 520 } });
    page.on("console", (m) => process.stderr.write(`console.${m.type()}: ${m.text()}\n`));
    page.on("pageerror", (e) => process.stderr.write(`page error: ${e.stack ?? e}\n`));
    page.on("requestfailed", (r) => process.stderr.write(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}\n`));
    await page.goto(url, { timeout: 120e3 });
    step(`loaded ${url}`);
    // Generous: a loaded 2-core machine can take long; the page itself
    // makes a handful of calls.
    await page.waitForSelector("#status:not([data-state=running])", { timeout: 180e3 });
    await page.screenshot({ path: shot, fullPage: true });
    step(`screenshot ${shot}`);
    const rec = page.locator("#record");
    report({
      state: await page.locator("#status").getAttribute("data-state"),
      status: await page.locator("#status").textContent(),
      identityId: await page.locator("#identity").textContent(),
      key: await rec.getAttribute("data-key"),
      value: await rec.getAttribute("data-value"),
      syncCount: await rec.getAttribute("data-sync-count"),
      origin: await page.evaluate(() => location.origin),
      userAgent: await page.evaluate(() => navigator.userAgent),
    });
  } finally {
    await browser.close();
  }
});
