import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { silentLogger } from "@lifeline/logger";
import { describe, expect, it } from "vitest";

import { createMailer } from "./mailer";

describe("createMailer without SMTP_URL", () => {
  it("writes each message to an .eml file under the mail directory and says where", async () => {
    const mailDir = path.join(mkdtempSync(path.join(tmpdir(), "lifeline-mail-")), "nested");
    const mailer = createMailer({
      from: "Lifeline <no-reply@example.com>",
      mailDir,
      logger: silentLogger(),
    });
    const sent = await mailer.send({
      to: "ada@example.com",
      subject: "Hello",
      text: "plain body\n",
      html: "<p>html body</p>\n",
    });
    expect(sent.file).toBeDefined();
    expect(path.dirname(sent.file ?? "")).toBe(mailDir);
    expect(readdirSync(mailDir)).toEqual([path.basename(sent.file ?? "")]);
    const eml = readFileSync(sent.file ?? "", "utf8");
    expect(eml).toMatch(/^To: ada@example.com$/m);
    expect(eml).toMatch(/^Subject: Hello$/m);
    expect(eml).toContain("plain body");
    expect(eml).toContain("<p>html body</p>");
  });
});
