/**
 * `${NAME}` in a string value is replaced by the environment variable NAME, so secrets never need to
 * be written into the config file. A missing variable is an error naming the field, never a silent
 * empty string (an empty secret would reach WeCom as a wrong secret and get our IP blocked).
 */
const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface SubstitutionProblem {
  path: string;
  variable: string;
}

export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, problems: SubstitutionProblem[] = [], path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (_match, name: string) => {
      const replacement = env[name];
      if (replacement === undefined) {
        problems.push({ path: path || '(root)', variable: name });
        return '';
      }
      return replacement;
    });
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => substituteEnv(item, env, problems, `${path}[${index}]`));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substituteEnv(item, env, problems, path ? `${path}.${key}` : key)]));
  }
  return value;
}
