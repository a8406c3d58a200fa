#!/usr/bin/env node
/**
 * The `wecom-oidc` command of an installed package (package.json `bin`):
 *
 *   wecom-oidc [--config FILE]            start the server (as `npm start`)
 *   wecom-oidc admin <command> [options]  the admin CLI (as `npm run admin --`)
 *
 * Only dispatch: main.ts and admin/cli.ts read the rest of argv themselves.
 */
const [first] = process.argv.slice(2);
if (first === 'admin') {
  process.argv.splice(2, 1);
  await import('./admin/cli.js');
} else if (first === '--help' || first === '-h' || first === 'help') {
  process.stdout.write(
    'Usage: wecom-oidc [--config FILE]            start the OpenID Connect provider\n' +
      '       wecom-oidc admin <command> [options]  administer it (wecom-oidc admin --help)\n' +
      '\nThe configuration file defaults to $WECOM_OIDC_CONFIG, else the embedded demo configuration.\n',
  );
} else {
  await import('./main.js');
}
