/**
 * Reads /metrics as Prometheus would: through a text-format parser (which also rejects a malformed
 * exposition), never with regexes.
 */
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';

export async function scrape(url: string): Promise<ParsedFamily[]> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
  return parsePrometheusTextFormat(await response.text());
}

/** The value of a counter or gauge sample whose labels include `labels` (0 when absent). */
export function sampleValue(families: ParsedFamily[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((candidate) => candidate.name === name);
  const sample = family?.metrics.find((metric) => Object.entries(labels).every(([label, value]) => metric.labels?.[label] === value));
  return sample?.value === undefined ? 0 : Number(sample.value);
}
