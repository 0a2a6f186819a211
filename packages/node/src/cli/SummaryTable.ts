/** The table printed at the end of an export: one row per resource. */
import type { Export } from "@figgro/core"
import { clock } from "./Progress.js"

const columns = ["resource", "records", "pages", "requests", "retries", "429s", "drift", "time", "output"] as const

const drift = (summary: Export.ExportSummary): string => {
  if (summary.drift === undefined) return "-"
  const delta = summary.drift.to - summary.drift.from
  const pages = summary.drift.changes.map((c) => c.page).join(",")
  return `${delta >= 0 ? "+" : ""}${delta} (p.${pages})`
}

export const render = (summaries: ReadonlyArray<Export.ExportSummary>): string => {
  const rows = summaries.map((s) => [
    s.resource,
    String(s.records),
    String(s.pages),
    String(s.requests),
    String(s.retries),
    String(s.rateLimited),
    drift(s),
    clock(s.durationMillis),
    s.output
  ])
  const widths = columns.map((name, i) => Math.max(name.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((cell, i) => (i === 0 || i >= 6 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ").trimEnd()
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")
}
