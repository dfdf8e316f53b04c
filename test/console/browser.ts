import chromium from "@sparticuz/chromium";
import { type Browser, chromium as playwright } from "playwright-core";

/**
 * The headless Chromium that @sparticuz/chromium ships inside its npm package (unpacked to /tmp on
 * first use), driven by playwright-core: no browser download, no apt step. Its Lambda-minded flags
 * are kept but one: the same-origin policy stays on, so the console is tested as a browser runs it
 * (a cross-origin upload without CORS fails here as it would for a person).
 */
export async function launchBrowser(): Promise<Browser> {
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args.filter((flag) => flag !== "--disable-web-security"),
    headless: true,
  });
}
