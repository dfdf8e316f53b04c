import chromium from "@sparticuz/chromium";
import { type Browser, chromium as playwright } from "playwright-core";

/**
 * The headless Chromium that @sparticuz/chromium ships inside its npm package (unpacked to /tmp on
 * first use), driven by playwright-core: no browser download, no apt step.
 */
export async function launchBrowser(): Promise<Browser> {
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args,
    headless: true,
  });
}
