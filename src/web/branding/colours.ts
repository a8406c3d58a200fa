/**
 * The configured primary colour, made readable: buttons carry text on it and links are written in
 * it, on our light card and page background and (for people whose system is in dark mode) on the
 * dark ones. WCAG 2 asks for a contrast of at least 4.5:1 for normal text; a colour that falls
 * short is darkened (light mode) or lightened (dark mode) in small steps until it passes, keeping
 * its hue, and the caller logs what it was changed to.
 */
import { colord, extend } from 'colord';
import a11yPlugin from 'colord/plugins/a11y';

extend([a11yPlugin]);

export const MIN_CONTRAST = 4.5;

/** Our stylesheet's surfaces (style.css): the card and the page around it, light and dark. */
export const SURFACES = {
  light: ['#ffffff', '#f4f6f8'],
  dark: ['#202327', '#16181b'],
} as const;

const TEXT_ON_ACCENT = ['#ffffff', '#16181b'] as const;

export interface SchemeColours {
  /** Buttons' background, links and secondary buttons' text. */
  accent: string;
  /** Text on an accent background. */
  onAccent: string;
}

export interface Theme {
  light: SchemeColours;
  dark: SchemeColours;
  /** The configured colour had to be changed for light mode (dark mode is always derived). */
  adjusted: boolean;
}

export function contrast(a: string, b: string): number {
  return colord(a).contrast(b);
}

export function themeFor(primaryColor: string): Theme {
  const configured = colord(primaryColor).toHex();
  const light = readableOn(configured, SURFACES.light, 'darken');
  const dark = readableOn(configured, SURFACES.dark, 'lighten');
  return { light: withText(light), dark: withText(dark), adjusted: light !== configured };
}

/** The colour itself when it reads well on every surface (and carries white or dark text), else nudged until it does. */
function readableOn(colour: string, surfaces: readonly string[], direction: 'darken' | 'lighten'): string {
  let candidate = colord(colour);
  for (let step = 0; step < 100; step += 1) {
    const hex = candidate.toHex();
    if (surfaces.every((surface) => contrast(hex, surface) >= MIN_CONTRAST) && bestText(hex).ratio >= MIN_CONTRAST) return hex;
    candidate = direction === 'darken' ? candidate.darken(0.01) : candidate.lighten(0.01);
  }
  return direction === 'darken' ? '#000000' : '#ffffff';
}

function bestText(accent: string): { text: string; ratio: number } {
  return TEXT_ON_ACCENT.map((text) => ({ text, ratio: contrast(accent, text) })).reduce((a, b) => (b.ratio > a.ratio ? b : a));
}

function withText(accent: string): SchemeColours {
  return { accent, onAccent: bestText(accent).text };
}

/** The generated stylesheet that applies a theme (served from our origin: no inline style). */
export function themeStylesheet(theme: Theme): string {
  const vars = (colours: SchemeColours) => `--accent: ${colours.accent}; --on-accent: ${colours.onAccent};`;
  return `:root { ${vars(theme.light)} }\n@media (prefers-color-scheme: dark) { :root { ${vars(theme.dark)} } }\n`;
}
