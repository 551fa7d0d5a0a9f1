import { describeTarget, type Metric, type Table } from "./metrics";
import type { AreaResult, RunReport } from "./report";

/**
 * The report as Markdown with aligned columns: the same text is the .md file and what the
 * terminal shows, so there is one layout to read and to keep up to date.
 */
export function renderMarkdown(report: RunReport): string {
  const { config, machine } = report;
  const out: string[] = [
    `# pnpm bench: ${report.areas.map((a) => a.area).join(", ")}`,
    "",
    `${report.finishedAt}, ${report.seconds.toFixed(0)} s. ${machine.cpus} CPUs (${machine.cpuModel}), ` +
      `Node ${machine.node}, load average ${machine.loadAverage.before.toFixed(1)} before, ` +
      `${machine.loadAverage.after.toFixed(1)} after.`,
    `Throughput: ${config.connections} connections, ${config.warmupSeconds} s warm-up + ` +
      `${config.durationSeconds} s measured per target, ${config.rounds} round(s), median shown; ` +
      `server log level ${config.logLevel}.`,
    "",
    ...report.warnings.map((w) => `> **WARNING:** ${w}\n`),
  ];
  for (const area of report.areas) out.push(...renderArea(area));
  out.push(
    report.failed
      ? "**FAILED:** some requests failed (see above); their numbers mean nothing. Exit code 1."
      : "All requests succeeded. Targets are reported, not enforced.",
  );
  return `${out.join("\n")}\n`;
}

function renderArea(area: AreaResult): string[] {
  const out = [`## ${area.area}: ${area.title}`, "", `${area.seconds.toFixed(0)} s.`, ""];
  if (area.error) out.push("**ERROR:** the area did not finish:", "", fence(area.error), "");
  if (area.metrics.length) {
    out.push(...table(metricsTable(area.metrics)), "");
    const notes = area.metrics.filter((m) => m.note).map((m) => `- ${m.name}: ${m.note}`);
    if (notes.length) out.push(...notes, "");
  }
  for (const detail of area.details) out.push(`**${detail.title}**`, "", ...table(detail), "");
  if (area.notes.length) out.push(...area.notes.map((n) => `- ${n}`), "");
  if (area.failures.length) {
    out.push("**Failed requests:**", "", ...area.failures.map((f) => `- ${f}`), "");
  }
  return out;
}

function metricsTable(metrics: Metric[]): Table {
  return {
    title: "",
    header: ["metric", "value", "baseline", "ratio", "target", "met"],
    rows: metrics.map((m) => [
      m.name,
      `${formatNumber(m.value)} ${m.unit === "count" ? "" : m.unit}`.trim(),
      m.baseline ? `${m.baseline.name}: ${formatNumber(m.baseline.value)}` : "-",
      m.ratio === null ? "-" : m.ratio.toFixed(3),
      m.target ? describeTarget(m.target, m.unit) : "-",
      m.met === null ? "-" : m.met ? "met" : "NOT met",
    ]),
  };
}

/** Whole numbers above 100, three significant digits below: readable at any scale. */
export function formatNumber(value: number | null): string {
  if (value === null) return "n/a";
  if (Number.isInteger(value) || Math.abs(value) >= 100) return value.toFixed(0);
  return value.toPrecision(3);
}

/** A Markdown table whose columns line up in a terminal too; names left, values right. */
function table({ header, rows }: Table): string[] {
  const cells = (row: string[]) => row.map((c) => c.replaceAll("|", "\\|"));
  const all = [cells(header), ...rows.map(cells)];
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => (r[i] ?? "").length)));
  const line = (row: string[]) =>
    `| ${row
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? ` ${"-".repeat(w)} ` : ` ${"-".repeat(w - 1)}: `)).join("|")}|`;
  return [line(all[0] ?? []), rule, ...all.slice(1).map(line)];
}

function fence(text: string): string {
  return `\`\`\`\n${text}\n\`\`\``;
}
