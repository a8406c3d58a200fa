/**
 * The branding files an operator points to (logo, favicon, extra stylesheet): read once, checked
 * (exists, is what it claims to be, within its size limits) and kept in memory to be served from
 * our own origin. The same check runs when the configuration is loaded, so a bad file stops
 * start-up with a message naming the key, like any other configuration error.
 */
import { readFileSync, statSync } from 'node:fs';
import { imageSize } from 'image-size';
import type { BrandingConfig } from './branding-schema.js';

export interface BrandingFile {
  body: Buffer;
  /** The Content-Type it is served with. */
  type: string;
  /** The file extension of its URL (so a browser saving it gets a sensible name). */
  ext: string;
}

interface FileRule {
  maxBytes: number;
  /** image-size's type names allowed, or 'css'. */
  kinds: readonly string[];
  /** Largest width and height in pixels (images only). */
  maxPixels?: number;
}

export const FILE_RULES = {
  logo: { maxBytes: 512 * 1024, kinds: ['png', 'jpg', 'gif', 'webp', 'svg'], maxPixels: 4096 },
  favicon: { maxBytes: 128 * 1024, kinds: ['ico', 'png'], maxPixels: 512 },
  css: { maxBytes: 64 * 1024, kinds: ['css'] },
} as const satisfies Record<string, FileRule>;

export type BrandingFileKey = keyof typeof FILE_RULES;

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  css: 'text/css; charset=utf-8',
};

export interface BrandingFiles {
  files: Partial<Record<BrandingFileKey, BrandingFile>>;
  /** `branding.<key>: problem`, one per bad file; empty when all are good. */
  problems: string[];
}

export function readBrandingFiles(branding: BrandingConfig | undefined): BrandingFiles {
  const result: BrandingFiles = { files: {}, problems: [] };
  for (const key of Object.keys(FILE_RULES) as BrandingFileKey[]) {
    const path = branding?.[key];
    if (!path) continue;
    const checked = readChecked(path, FILE_RULES[key]);
    if (typeof checked === 'string') result.problems.push(`branding.${key}: ${checked}`);
    else result.files[key] = checked;
  }
  return result;
}

function readChecked(path: string, rule: FileRule): BrandingFile | string {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return 'is not a file';
    size = stat.size;
  } catch (error) {
    return `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  if (size === 0) return 'the file is empty';
  if (size > rule.maxBytes) return `the file is ${size} bytes; at most ${rule.maxBytes} are allowed`;
  const body = readFileSync(path);
  if (rule.kinds.includes('css')) {
    // A stylesheet is text: anything else (an image, a binary) was pointed to by mistake.
    if (body.includes(0) || !isUtf8(body)) return 'must be a UTF-8 text stylesheet';
    return { body, type: CONTENT_TYPES.css!, ext: 'css' };
  }
  let kind: string | undefined;
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ type: kind, width, height } = imageSize(body));
  } catch {
    return `is not an image (allowed: ${rule.kinds.join(', ')})`;
  }
  if (!kind || !rule.kinds.includes(kind)) return `is ${kind ?? 'an unknown format'}; allowed: ${rule.kinds.join(', ')}`;
  if (rule.maxPixels && ((width ?? 0) > rule.maxPixels || (height ?? 0) > rule.maxPixels)) {
    return `is ${width}×${height} pixels; at most ${rule.maxPixels}×${rule.maxPixels} are allowed`;
  }
  return { body, type: CONTENT_TYPES[kind]!, ext: kind };
}

function isUtf8(body: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}
