import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { png } from "@lifeline/core/testing";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";

/**
 * Swagger UI in a real browser: headless Chromium from Debian (.ci/run installs it), driven
 * by playwright-core. The machine has no internet, so nothing may be fetched from elsewhere.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];
const OUTPUT_DIR = fileURLToPath(new URL("../test-output/", import.meta.url));
const SCREENSHOT = `${OUTPUT_DIR}api-docs-login.png`;

const credentials = { email: "swagger-ui@example.com", password: "correct horse battery staple" };

let server: TestServer;
let browser: Browser | undefined;
let page: Page;
let accessToken = "";
const requested: string[] = [];
const cspViolations: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: apt-get install -y chromium (as .ci/run does), or set CHROMIUM_PATH`,
    );
  }
  server = await startTestServer({ databaseUrl: inject("databaseUrl"), listen: true });
  const register = await fetch(`${server.url}/api/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(credentials),
  });
  expect(register.status).toBe(200);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    timeout: 15_000,
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.setDefaultTimeout(10_000);
  page.on("request", (request) => requested.push(request.url()));
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) cspViolations.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await server.close();
});

describe("Swagger UI at /api-docs", () => {
  it("lists the auth operations", async () => {
    await page.goto(`${server.url}/api-docs`);
    await page.locator(".opblock-tag-section").first().waitFor();
    const listed: string[] = [];
    for (const summary of await page.locator(".opblock-summary").all()) {
      const method = await summary.locator(".opblock-summary-method").textContent();
      const path = await summary.locator(".opblock-summary-path").getAttribute("data-path");
      listed.push(`${method?.trim() ?? ""} ${path?.trim() ?? ""}`);
    }
    expect(listed).toEqual(
      expect.arrayContaining([
        "POST /auth/register",
        "POST /auth/login",
        "POST /auth/refresh",
        "POST /auth/logout",
        "POST /auth/logout-all",
        "GET /auth/me",
        "GET /auth/sessions",
        "DELETE /auth/sessions/{id}",
        "POST /auth/password",
      ]),
    );
    // Swagger UI shows spec errors in an .errors-wrapper; there must be none.
    expect(await page.locator(".errors-wrapper").count()).toBe(0);
    // The bearer scheme gives the page an Authorize button.
    await expect(page.locator(".auth-wrapper .authorize").isVisible()).resolves.toBe(true);
  });

  it("signs in through 'Try it out' on POST /auth/login", async () => {
    const login = page.locator("#operations-auth-auth-login");
    await login.locator(".opblock-summary").click();
    // tryItOutEnabled opens the editor already; click "Try it out" if this version does not.
    const tryItOut = login.getByRole("button", { name: "Try it out" });
    if (await tryItOut.isVisible()) await tryItOut.click();
    await login.locator("textarea.body-param__text").fill(JSON.stringify(credentials, null, 2));
    await login.getByRole("button", { name: "Execute" }).click();

    const live = login.locator(".live-responses-table");
    const status = live.locator("tbody .response .response-col_status").first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe("200");
    const body = await live
      .locator(".response-col_description .microlight, .response-col_description pre")
      .first()
      .textContent();
    expect(body).toContain('"accessToken"');
    expect(body).toContain(credentials.email);

    accessToken = (JSON.parse(body ?? "{}") as { accessToken: string }).accessToken;

    await live.scrollIntoViewIfNeeded();
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it("calls a protected route with the token given to 'Authorize'", async () => {
    await page.locator(".auth-wrapper .authorize").click();
    const dialog = page.locator(".modal-ux");
    await dialog.locator("input").first().fill(accessToken);
    // The modal's submit button reads "Authorize" (its aria-label: "Apply credentials").
    await dialog.locator("button.modal-btn.authorize").click();
    await dialog.locator("button", { hasText: "Logout" }).waitFor();
    await dialog.locator("button.btn-done").click();

    const me = page.locator("#operations-auth-auth-me");
    await me.locator(".opblock-summary").click();
    const tryItOut = me.getByRole("button", { name: "Try it out" });
    if (await tryItOut.isVisible()) await tryItOut.click();
    await me.getByRole("button", { name: "Execute" }).click();
    const status = me.locator(".live-responses-table tbody .response .response-col_status").first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe("200");
    // Swagger UI shows the request it sent as a curl command: the bearer token went with it.
    expect(await me.locator(".curl-command").textContent()).toContain(`Bearer ${accessToken}`);
  });

  it("uploads a file through 'Try it out' on POST /media (a multipart form with a file input)", async () => {
    const upload = page.locator("#operations-media-media-upload");
    await upload.locator(".opblock-summary").click();
    const tryItOut = upload.getByRole("button", { name: "Try it out" });
    if (await tryItOut.isVisible()) await tryItOut.click();
    await upload
      .locator('input[type="file"]')
      .setInputFiles({ name: "swagger.png", mimeType: "image/png", buffer: png({ seed: 42 }) });
    await upload.getByRole("button", { name: "Execute" }).click();
    const status = upload
      .locator(".live-responses-table tbody .response .response-col_status")
      .first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe("201");
    expect(await upload.locator(".curl-command").textContent()).toContain("multipart/form-data");
  });

  it("loads nothing from outside this server and breaks no CSP rule", () => {
    const origin = new URL(server.url).origin;
    const network = requested.filter((url) => /^(https?|wss?):/.test(url));
    expect(network.length).toBeGreaterThan(0);
    expect(network.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
