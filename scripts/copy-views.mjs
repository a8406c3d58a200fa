// tsc compiles only TypeScript; the page templates and stylesheet are copied beside the compiled
// code so that dist/ runs on its own (`node dist/main.js`) exactly as src/ does under vitest.
import { cpSync } from 'node:fs';

cpSync(new URL('../src/web/views', import.meta.url), new URL('../dist/web/views', import.meta.url), { recursive: true });
