// Names for `pnpm gen:module`: parses the entity name, derives every spelling the templates use, and
// knows which names are refused before any file is looked at (syntax, reserved words).

/** Thrown for input the generator refuses; the CLI prints the message and exits non-zero. */
export class Refusal extends Error {}

/** Keys a tRPC router may not have (`createRouterFactory` throws on them) or that it uses itself. */
const TRPC_RESERVED = ['then', 'call', 'apply', '_def', 'createCaller', 'getErrorShape'];

/** Reserved and strict-mode words of JavaScript/TypeScript, plus globals a module must not shadow. */
const JS_RESERVED = [
  'arguments',
  'await',
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'debugger',
  'default',
  'delete',
  'do',
  'else',
  'enum',
  'eval',
  'export',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'implements',
  'import',
  'in',
  'instanceof',
  'interface',
  'let',
  'new',
  'null',
  'package',
  'private',
  'protected',
  'public',
  'return',
  'static',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'undefined',
  'var',
  'void',
  'while',
  'with',
  'yield',
  'any',
  'never',
  'object',
  'string',
  'number',
  'boolean',
  'symbol',
  'unknown',
];

/** Object.prototype members: as a router key they would shadow or be shadowed by the prototype. */
const PROTOTYPE_KEYS = [
  'constructor',
  'prototype',
  '__proto__',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
  'toJSON',
];

/** Identifiers the templates import or declare next to the generated ones. */
const TEMPLATE_IDENTIFIERS = ['router', 'authedProcedure', 'writerProcedure', 'repo', 'audit', 'ctx', 'input', 'db'];

const RESERVED = new Map([
  ...JS_RESERVED.map((word) => [word, 'a JavaScript reserved word']),
  ...PROTOTYPE_KEYS.map((word) => [word, 'an Object.prototype member']),
  ...TEMPLATE_IDENTIFIERS.map((word) => [word, 'an identifier the generated code already uses']),
  ...TRPC_RESERVED.map((word) => [word, 'reserved by tRPC (router keys `then`, `call`, `apply`, `_def`…)']),
]);

/** Longest plural: keeps `<table>_description_length` and friends inside PostgreSQL's 63-byte names. */
export const MAX_PLURAL_LENGTH = 40;

const CAMEL = /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)*$/;
const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*$/;

/** `invoiceLine` or `invoice-line` → ['invoice', 'line']; anything else is refused with the reason. */
export function parseWords(raw, what) {
  const reserved = RESERVED.get(raw);
  if (reserved) throw new Refusal(`${what} "${raw}" is ${reserved}; choose another name.`);
  if (raw.includes('-')) {
    if (!KEBAB.test(raw)) {
      throw new Refusal(
        `${what} "${raw}" is not a valid kebab-case name: lower-case words of letters and digits, each starting with a letter, joined by single hyphens (e.g. invoice-line).`,
      );
    }
    return raw.split('-');
  }
  if (!CAMEL.test(raw)) {
    const hint = /^[A-Z]/.test(raw)
      ? ' It must start with a lower-case letter.'
      : /_/.test(raw)
        ? ' Underscores are not allowed: write invoiceLine or invoice-line.'
        : /[A-Z]{2}/.test(raw)
          ? ' Write acronyms as words (apiKey, not APIKey; userId, not userID).'
          : '';
    throw new Refusal(
      `${what} "${raw}" is not a valid name: a lower-case identifier like ^[a-z][a-z0-9]*$, or camelCase (invoiceLine), or kebab-case (invoice-line).${hint}`,
    );
  }
  return raw.split(/(?=[A-Z])/).map((word) => word.toLowerCase());
}

/** English plural of one word: box → boxes, category → categories, task → tasks. */
export function pluralize(word) {
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

const capitalize = (word) => word.charAt(0).toUpperCase() + word.slice(1);

/** Every spelling of a list of lower-case words. */
export function spell(words) {
  const [first = '', ...rest] = words;
  const camel = first + rest.map(capitalize).join('');
  return {
    words,
    camel,
    pascal: capitalize(camel),
    kebab: words.join('-'),
    snake: words.join('_'),
    constant: words.join('_').toUpperCase(),
    label: words.join(' '),
  };
}

/** `a task`, `an item`, `a unit` (a `u` sounding like "you" takes `a`). */
const withArticle = (label) => `${/^[aeiou]/.test(label) && !/^u[^aeiou][aeiou]/.test(label) ? 'an' : 'a'} ${label}`;

/**
 * Every spelling of the module from the CLI's name (the singular entity) and optional plural.
 * The singular names types and the audit action; the plural names the router, folder, files and table.
 */
export function deriveNames(rawName, rawPlural) {
  const singularWords = parseWords(rawName, 'Name');
  let pluralWords;
  if (rawPlural === undefined) {
    const last = singularWords.at(-1) ?? '';
    if (/[^s]s$/.test(last)) {
      throw new Refusal(
        `Name "${rawName}" looks plural. Give the singular entity (e.g. \`pnpm gen:module task\` makes the tasks module), or, if "${rawName}" really is singular, say its plural with --plural (e.g. --plural ${rawName}es).`,
      );
    }
    pluralWords = [...singularWords.slice(0, -1), pluralize(last)];
  } else {
    pluralWords = parseWords(rawPlural, 'Plural');
  }
  const singular = spell(singularWords);
  const plural = spell(pluralWords);
  for (const spelling of [singular.camel, plural.camel]) {
    const reserved = RESERVED.get(spelling);
    if (reserved) throw new Refusal(`"${spelling}" (derived from "${rawName}") is ${reserved}; choose another name.`);
  }
  if (plural.camel.length > MAX_PLURAL_LENGTH) {
    throw new Refusal(
      `"${plural.camel}" is longer than ${MAX_PLURAL_LENGTH} characters: its table's index and constraint names would pass PostgreSQL's 63-byte limit.`,
    );
  }
  return {
    singular,
    plural,
    routerKey: plural.camel,
    folder: plural.kebab,
    table: plural.snake,
    auditAction: `${singular.snake}.deleted`,
    auditTarget: singular.snake,
    tokens: {
      Item: singular.pascal,
      Items: plural.pascal,
      item: singular.camel,
      items: plural.camel,
      ITEM: singular.constant,
      itemsKebab: plural.kebab,
      table: plural.snake,
      itemLabel: singular.label,
      itemsLabel: plural.label,
      ItemLabel: capitalize(singular.label),
      anItemLabel: withArticle(singular.label),
      AnItemLabel: capitalize(withArticle(singular.label)),
      auditAction: `${singular.snake}.deleted`,
      auditTarget: singular.snake,
    },
  };
}
