import type { Contract, MatchingRule, MatchingRules, RuleList } from '../contract/model.js';
import { TreatyError } from '../errors.js';
import { compileRegex } from './rules.js';

function* rulesOf(rule: MatchingRule, path: string): Generator<{ rule: MatchingRule; path: string }> {
  yield { rule, path };
  if (rule.match === 'eachKey' || rule.match === 'eachValue')
    for (const [i, r] of rule.rules.entries()) yield* rulesOf(r, `${path}.rules[${i}]`);
  if (rule.match === 'arrayContains')
    for (const [v, variant] of rule.variants.entries())
      for (const [key, list] of Object.entries(variant.rules))
        yield* listRules(list, `${path}.variants[${v}].rules['${key}']`);
}

function* listRules(list: RuleList, path: string): Generator<{ rule: MatchingRule; path: string }> {
  for (const [i, r] of list.rules.entries()) yield* rulesOf(r, `${path}.matchers[${i}]`);
}

function* categoryRules(rules: MatchingRules, path: string): Generator<{ rule: MatchingRule; path: string }> {
  for (const key of ['path', 'status', 'method'] as const) {
    const list = rules[key];
    if (list !== undefined) yield* listRules(list, `${path}.${key}`);
  }
  for (const key of ['query', 'header', 'body', 'metadata'] as const)
    for (const [name, list] of Object.entries(rules[key] ?? {}))
      yield* listRules(list, `${path}.${key}['${name}']`);
}

function* contractRules(contract: Contract): Generator<{ rule: MatchingRule; path: string }> {
  for (const [i, interaction] of contract.interactions.entries()) {
    const at = `interactions[${i}]`;
    if (interaction.type === 'Synchronous/HTTP') {
      yield* categoryRules(interaction.request.matchingRules, `${at}.request.matchingRules`);
      yield* categoryRules(interaction.response.matchingRules, `${at}.response.matchingRules`);
    } else if (interaction.type === 'Asynchronous/Messages') {
      yield* categoryRules(interaction.message.matchingRules, `${at}.matchingRules`);
    } else {
      yield* categoryRules(interaction.request.matchingRules, `${at}.request.matchingRules`);
      for (const [r, response] of interaction.response.entries())
        yield* categoryRules(response.matchingRules, `${at}.response[${r}].matchingRules`);
    }
  }
}

/**
 * Refuses a contract with a `regex` matching rule that no syntax Treaty reads accepts (it could never
 * match): throws TREATY_CONTRACT_INVALID_REGEX naming the rule's path. Cheap: each pattern compiles once.
 * @example checkContractRegexes(parseContract(text))
 */
export function checkContractRegexes(contract: Contract): void {
  for (const { rule, path } of contractRules(contract)) {
    if (rule.match === 'regex' && compileRegex(rule.regex) === null)
      throw new TreatyError(
        'TREATY_CONTRACT_INVALID_REGEX',
        `${path}: the regex ${JSON.stringify(rule.regex)} is not a valid regular expression, so no value could match it. Fix the pattern in the test that wrote this contract.`,
        { path },
      );
  }
}
