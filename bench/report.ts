/**
 * What a run found: the result shape written to bench/results/latest.json, and the tables printed
 * at the end. Targets are the issue's part 4; they are reported, never enforced (the exit code
 * says only whether the bench itself ran).
 */
import { ROUND_SPREAD_WARNING, type OperationKey, type Summary } from './compare.js';
import type { BenchOptions, StorageDriver } from './options.js';
import type { GettokenRecord } from './servers.js';

export interface OperationResult {
  key: OperationKey;
  label: string;
  ours: Summary;
  bare: Summary;
  ratio: number;
  minimumRatio: number;
  met: boolean;
}

export interface ScaleResult {
  accounts: number;
  empty: Summary;
  preloaded: Summary;
  ratio: number;
  met: boolean;
  /** Seconds to preload, and for the preloaded server to start. */
  preloadSeconds: number;
  startSeconds: number;
}

export interface MemoryResult {
  signIns: number;
  /** Sign-ins per second of the run that brought the count up to `signIns`. */
  lastRunRate: number;
  atStartMiB: number;
  rssMiB: number;
  peakMiB: number;
  limitMiB: number;
  met: boolean;
  /** RSS along the way: (completed sign-ins, MiB). */
  samples: { signIns: number; rssMiB: number }[];
  /**
   * RSS read again while the server sits idle after the sign-ins (seconds since the last one): V8
   * gives back the heap it grew under load only once it sees the process idle, after tens of seconds.
   */
  idle?: { seconds: number; rssMiB: number }[];
  /** The last idle reading is within the limit. */
  metWhenIdle?: boolean;
}

export interface VariantResult {
  driver: StorageDriver;
  /** Why it was not measured: 'n/a (driver not available)', 'skipped: PostgreSQL not reachable', or an error. */
  unavailable?: string;
  operations: OperationResult[];
  scale?: ScaleResult;
  memory?: MemoryResult;
  errors: string[];
}

export interface GettokenResult {
  perProcess: GettokenRecord[];
  met: boolean;
}

export interface BenchResult {
  startedAt: string;
  seconds: number;
  /** loadavg() at start and end: other work on the machine shows up here. */
  machine: { cpus: number; node: string; loadAverage: { atStart: number[]; atEnd: number[] } };
  options: BenchOptions;
  variants: VariantResult[];
  gettoken: GettokenResult;
}

export const RSS_LIMIT_MIB = 150;
export const SCALE_MINIMUM_RATIO = 0.8;

const rate = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');
const ms = (value: number) => (Number.isFinite(value) ? (value < 10 ? value.toFixed(2) : value.toFixed(0)) : 'n/a');
/** Two decimals, or three where two would round across the target (0.899 is not 0.90). */
function ratioText(ratio: number, minimum: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  const short = ratio.toFixed(2);
  return `${Number(short) >= minimum === ratio >= minimum ? short : ratio.toFixed(3)}x`;
}

const micros = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : 'n/a');
const yesNo = (met: boolean) => (met ? 'yes' : 'NO');
const count = (value: number) => value.toLocaleString('en-US');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ');
  return [line(rows[0]!), widths.map((width) => '-'.repeat(width)).join('-|-'), ...rows.slice(1).map(line)].join('\n');
}

export function formatVariant(variant: VariantResult): string {
  const title = `== ${variant.driver === 'lowdb' ? 'lowdb' : 'PostgreSQL'} (our server) vs bare oidc-provider (memory adapter) ==`;
  if (variant.unavailable) return `${title}\n${variant.unavailable}`;
  const rows = [
    ['operation', 'ours req/s', 'bare req/s', 'ratio', 'ours p50/p99 ms', 'bare p50/p99 ms', 'target', 'met?', 'server CPU us/op ours / bare'],
    ...variant.operations.map((operation) => [
      operation.label,
      rate(operation.ours.rps),
      rate(operation.bare.rps),
      ratioText(operation.ratio, operation.minimumRatio),
      `${ms(operation.ours.p50)} / ${ms(operation.ours.p99)}`,
      `${ms(operation.bare.p50)} / ${ms(operation.bare.p99)}`,
      `>= ${operation.minimumRatio}x`,
      yesNo(operation.met),
      `${micros(operation.ours.cpuMicros)} / ${micros(operation.bare.cpuMicros)}`,
    ]),
  ];
  const lines = [title, table(rows)];
  lines.push('rounds (req/s, in the order run; spread = (max - min) / median):');
  for (const operation of variant.operations) {
    lines.push(`  ${operation.label}: ours ${roundsText(operation.ours)}; bare ${roundsText(operation.bare)}; CPU ours/bare ${cpuRatio(operation)}`);
  }
  lines.push(...disagreements(variant));
  const failures = variant.operations.filter((operation) => operation.ours.failed || operation.bare.failed);
  for (const operation of failures) {
    lines.push(
      `  ! ${operation.label}: ${operation.ours.failed} failed on ours, ${operation.bare.failed} on bare (${operation.ours.firstError ?? operation.bare.firstError ?? ''})`,
    );
  }
  const { scale, memory } = variant;
  if (scale) {
    lines.push(
      `scale: sign-ins/s with ${count(scale.accounts)} accounts + ${count(scale.accounts)} live grants ${rate(scale.preloaded.rps)}/s ` +
        `(p50 ${ms(scale.preloaded.p50)} ms, p99 ${ms(scale.preloaded.p99)} ms) vs empty store ${rate(scale.empty.rps)}/s ` +
        `(p50 ${ms(scale.empty.p50)} ms, p99 ${ms(scale.empty.p99)} ms): ${ratioText(scale.ratio, SCALE_MINIMUM_RATIO)} ` +
        `(target >= ${SCALE_MINIMUM_RATIO}x: ${yesNo(scale.met)}; preload ${scale.preloadSeconds.toFixed(1)} s, start ${scale.startSeconds.toFixed(1)} s)`,
    );
  }
  if (memory) {
    lines.push(
      `RSS of our server after ${count(memory.signIns)} sign-ins (16 at a time): ${memory.rssMiB.toFixed(1)} MiB ` +
        `(peak ${memory.peakMiB.toFixed(1)} MiB, ${memory.atStartMiB.toFixed(1)} MiB at start; ${rate(memory.lastRunRate)} sign-ins/s in the last stretch) ` +
        `(target <= ${memory.limitMiB} MiB: ${yesNo(memory.met)})`,
      `  RSS along the way: ${memory.samples.map((sample) => `${count(sample.signIns)}: ${sample.rssMiB.toFixed(0)}`).join(', ')} MiB`,
      ...(memory.idle?.length
        ? [
            `  RSS idle after the load: ${memory.idle.map((reading) => `${reading.seconds} s: ${reading.rssMiB.toFixed(0)}`).join(', ')} MiB ` +
              `(target <= ${memory.limitMiB} MiB when idle: ${yesNo(memory.metWhenIdle ?? false)})`,
          ]
        : []),
    );
  }
  for (const error of variant.errors) lines.push(`  ! ${error}`);
  return lines.join('\n');
}

function roundsText(summary: Summary): string {
  return `${summary.rounds.map((round) => rate(round.rps)).join(' / ')} (spread ${(summary.spread * 100).toFixed(0)} %)`;
}

function cpuRatio(operation: OperationResult): string {
  const ratio = operation.ours.cpuMicros / operation.bare.cpuMicros;
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a';
}

/** A warning line for every comparison whose rounds disagree by more than ROUND_SPREAD_WARNING. */
export function disagreements(variant: VariantResult): string[] {
  const compared: [string, Summary][] = variant.operations.flatMap((operation): [string, Summary][] => [
    [`${operation.label}, ours`, operation.ours],
    [`${operation.label}, bare`, operation.bare],
  ]);
  if (variant.scale) compared.push(['scale, empty store', variant.scale.empty], ['scale, preloaded store', variant.scale.preloaded]);
  return compared
    .filter(([, summary]) => summary.roundsDisagree)
    .map(
      ([what, summary]) =>
        `  ! WARNING ${what}: rounds disagree by ${(summary.spread * 100).toFixed(0)} % (more than ${ROUND_SPREAD_WARNING * 100} %): ` +
        'the machine was not quiet enough for this median to be trusted; run again',
    );
}

/** The warning for a machine busy with other work at the start or end of the run, if it was. */
export function loadWarning(cpus: number, atStart: number[], atEnd: number[]): string | undefined {
  const busiest = Math.max(atStart[0] ?? 0, atEnd[0] ?? 0);
  return busiest > cpus
    ? `! WARNING load average ${busiest.toFixed(1)} on ${cpus} cores: other processes competed with the bench; its figures are noise-prone`
    : undefined;
}

export function formatGettoken(result: GettokenResult, bare: number): string {
  const ours = result.perProcess.map((record) => `${record.process}: ${record.gettoken}`).join(', ');
  return [
    `gettoken (WeCom API, counted by the simulator): ${ours || 'no server of ours ran'}; bare provider: ${bare}.`,
    `  Expected exactly 1 per server process per app: every process lives far less than the token's 7,200 s, ` +
      `so a second call would mean a cache miss (target: ${yesNo(result.met)}).`,
  ].join('\n');
}
