import type { Generator, MatchingRule, MatchingRules, RuleList } from '@treaty/core';

const STATUS_CLASSES: Record<string, string> = {
  info: 'an informational status (1xx)',
  success: 'a success status (2xx)',
  redirect: 'a redirect status (3xx)',
  clientError: 'a client error status (4xx)',
  serverError: 'a server error status (5xx)',
  nonError: 'any status below 400',
  error: 'any status of 400 or more',
};

/** One matching rule as a person would say it. */
function ruleInWords(rule: MatchingRule): string {
  switch (rule.match) {
    case 'equality':
      return 'exactly the example';
    case 'regex':
      return `text matching the pattern ${rule.regex}`; // no slashes around it: a path pattern has its own
    case 'type': {
      const bounds = [
        rule.min === undefined ? '' : `at least ${rule.min}`,
        rule.max === undefined ? '' : `at most ${rule.max}`,
      ]
        .filter(Boolean)
        .join(' and ');
      return bounds === ''
        ? 'any value of the same type as the example'
        : `a list with ${bounds} item${(rule.max ?? rule.min) === 1 ? '' : 's'}, each like the example`;
    }
    case 'include':
      return `text containing "${rule.value}"`;
    case 'integer':
      return 'any integer';
    case 'decimal':
      return 'any decimal number';
    case 'number':
      return 'any number';
    case 'datetime':
      return `a date and time${rule.format === undefined ? '' : ` formatted ${rule.format}`}`;
    case 'date':
      return `a date${rule.format === undefined ? '' : ` formatted ${rule.format}`}`;
    case 'time':
      return `a time${rule.format === undefined ? '' : ` formatted ${rule.format}`}`;
    case 'null':
      return 'null';
    case 'boolean':
      return 'true or false';
    case 'contentType':
      return `content of type ${rule.value}`;
    case 'values':
      return 'a map whose values are each like the example (keys are free)';
    case 'arrayContains':
      return `a list that contains ${rule.variants.length === 1 ? 'an item' : `${rule.variants.length} kinds of item`} like the example${rule.variants.length === 1 ? '' : 's'} (in any order, among others)`;
    case 'statusCode':
      return Array.isArray(rule.status)
        ? `one of the statuses ${rule.status.join(', ')}`
        : (STATUS_CLASSES[rule.status] ?? rule.status);
    case 'notEmpty':
      return 'a value that is not empty';
    case 'semver':
      return 'a semantic version (like 1.2.3)';
    case 'eachKey':
      return `a map whose every key is ${rule.rules.map(ruleInWords).join(' and ')}`;
    case 'eachValue':
      return `a map whose every value is ${rule.rules.map(ruleInWords).join(' and ')}`;
    case 'unknown':
      return `the rule '${rule.name}', which Treaty does not know (nothing matches it)`;
  }
}

/** Several rules at one place, combined as the contract says. */
function ruleListInWords(list: RuleList): string {
  return list.rules.map(ruleInWords).join(list.combine === 'OR' ? ' or ' : ', and ');
}

/** A generator as a person would say it. */
export function generatorInWords(g: Generator): string {
  switch (g.type) {
    case 'RandomInt':
      return `a random integer${g.min === undefined ? '' : ` from ${g.min}`}${g.max === undefined ? '' : ` to ${g.max}`}`;
    case 'RandomDecimal':
      return `a random decimal${g.digits === undefined ? '' : ` of ${g.digits} digits`}`;
    case 'RandomHexadecimal':
      return `a random hexadecimal${g.digits === undefined ? '' : ` of ${g.digits} digits`}`;
    case 'RandomString':
      return `a random string${g.size === undefined ? '' : ` of ${g.size} characters`}`;
    case 'Regex':
      return `a random string matching /${g.regex}/`;
    case 'Uuid':
      return 'a random UUID';
    case 'Date':
    case 'Time':
    case 'DateTime': {
      const what = g.type === 'DateTime' ? 'date and time' : g.type.toLowerCase();
      const shifted = g.expression === undefined ? '' : ` ${g.expression}`;
      return `the current ${what}${shifted}${g.format === undefined ? '' : ` (${g.format})`}`;
    }
    case 'RandomBoolean':
      return 'a random boolean';
    case 'ProviderState':
      return `a value from the provider state: ${g.expression}`;
    case 'MockServerURL':
      return "a URL on the provider's own address";
  }
}

/** Every rule of a request, response or message as "where: what" lines. */
export function rulesInWords(rules: MatchingRules): Array<{ where: string; what: string }> {
  const out: Array<{ where: string; what: string }> = [];
  if (rules.status !== undefined) out.push({ where: 'status', what: ruleListInWords(rules.status) });
  if (rules.method !== undefined) out.push({ where: 'method', what: ruleListInWords(rules.method) });
  if (rules.path !== undefined) out.push({ where: 'path', what: ruleListInWords(rules.path) });
  for (const [name, list] of Object.entries(rules.query ?? {}))
    out.push({ where: `query ${name}`, what: ruleListInWords(list) });
  for (const [name, list] of Object.entries(rules.header ?? {}))
    out.push({ where: `header ${name}`, what: ruleListInWords(list) });
  for (const [name, list] of Object.entries(rules.metadata ?? {}))
    out.push({ where: `metadata ${name}`, what: ruleListInWords(list) });
  for (const [path, list] of Object.entries(rules.body ?? {}))
    out.push({ where: path === '$' ? 'the body' : path.replace(/^\$\./, ''), what: ruleListInWords(list) });
  return out;
}
