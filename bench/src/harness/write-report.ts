import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import type { RunReport } from "./report";

/** report.md and report.json in the output directory, replaced on every run. */
export async function writeReport(
  report: RunReport,
  markdown: string,
): Promise<{ markdown: string; json: string }> {
  await mkdir(report.config.outputDir, { recursive: true });
  const files = {
    markdown: path.join(report.config.outputDir, "report.md"),
    json: path.join(report.config.outputDir, "report.json"),
  };
  await writeFile(files.markdown, markdown);
  await writeFile(files.json, `${JSON.stringify(report, null, 2)}\n`);
  return files;
}
