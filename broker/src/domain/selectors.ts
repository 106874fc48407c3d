import { TreatyError } from '@treaty/core';

/** A consumer version selector as clients send it. */
export interface ConsumerVersionSelector {
  mainBranch?: boolean;
  branch?: string | boolean;
  matchingBranch?: boolean;
  fallbackBranch?: string;
  tag?: string;
  fallbackTag?: string;
  latest?: boolean;
  deployed?: boolean;
  released?: boolean;
  deployedOrReleased?: boolean;
  environment?: string;
  consumer?: string;
}

function bad(index: number, message: string): never {
  throw new TreatyError('TREATY_BROKER_BAD_REQUEST', `consumerVersionSelectors[${index}]: ${message}`);
}

/**
 * Checks a selector by Pact's rules and rewrites `matchingBranch` to the provider's branch.
 * Environment selectors are refused for now: this broker does not record deployments yet.
 */
export function normalizeSelector(
  raw: unknown,
  index: number,
  providerVersionBranch: string | undefined,
): ConsumerVersionSelector {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    bad(index, 'each selector must be an object such as { "mainBranch": true }.');
  const s = raw as Record<string, unknown>;
  const out: ConsumerVersionSelector = {};
  const str = (key: string): string | undefined => {
    const v = s[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v.trim() === '') bad(index, `${key} must be a non-blank string.`);
    return v;
  };
  const yes = (key: string): boolean | undefined => {
    const v = s[key];
    if (v === undefined || v === null) return undefined;
    if (v !== true) bad(index, `${key} can only be true.`);
    return true;
  };
  const consumer = str('consumer');
  if (consumer !== undefined) out.consumer = consumer;
  if (yes('mainBranch') === true) out.mainBranch = true;
  if (s.branch === true) out.branch = true;
  else {
    const branch = str('branch');
    if (branch !== undefined) out.branch = branch;
  }
  if (yes('matchingBranch') === true) {
    if (providerVersionBranch === undefined || providerVersionBranch.trim() === '')
      bad(index, 'matchingBranch needs providerVersionBranch in the request.');
    out.branch = providerVersionBranch;
  }
  const tag = str('tag');
  if (tag !== undefined) out.tag = tag;
  const fallbackTag = str('fallbackTag');
  if (fallbackTag !== undefined) out.fallbackTag = fallbackTag;
  if (s.latest !== undefined && s.latest !== null) {
    if (typeof s.latest !== 'boolean') bad(index, 'latest must be true or false.');
    out.latest = s.latest;
  }
  for (const key of ['deployed', 'released', 'deployedOrReleased'] as const)
    if (yes(key) === true) out[key] = true;
  const environment = str('environment');
  if (environment !== undefined) out.environment = environment;

  const branchFamily =
    out.mainBranch === true ||
    out.branch !== undefined ||
    out.tag !== undefined ||
    out.fallbackTag !== undefined ||
    out.latest !== undefined;
  const envFamily =
    out.deployed === true ||
    out.released === true ||
    out.deployedOrReleased === true ||
    out.environment !== undefined;
  if (!branchFamily && !envFamily)
    bad(
      index,
      'say which versions: mainBranch, branch, matchingBranch, tag, latest, deployed, released, deployedOrReleased or environment.',
    );
  if (branchFamily && envFamily) bad(index, 'branch and tag keys cannot be mixed with environment keys.');
  if (out.tag !== undefined && out.branch !== undefined) bad(index, 'tag and branch cannot be combined.');
  if ((out.mainBranch === true || out.branch !== undefined) && out.latest === false)
    bad(index, 'mainBranch and branch always select the latest version; latest: false is not allowed.');
  if (out.fallbackTag !== undefined && (out.tag === undefined || out.latest !== true))
    bad(index, 'fallbackTag needs tag and latest: true.');
  if (s.fallbackBranch !== undefined && out.branch === undefined) bad(index, 'fallbackBranch needs branch.');
  if ([out.deployed, out.released, out.deployedOrReleased].filter((x) => x === true).length > 1)
    bad(index, 'use only one of deployed, released and deployedOrReleased.');
  return out;
}

/** The short label of a selector, as Pact brokers describe them. */
export function selectorLabel(s: ConsumerVersionSelector, usedFallbackTag = false): string {
  if (s.mainBranch === true) return 'latest from main branch';
  if (typeof s.branch === 'string') return `latest from branch ${s.branch}`;
  if (s.branch === true) return 'latest from each branch';
  if (s.tag !== undefined)
    return s.latest === true
      ? `latest with tag ${usedFallbackTag ? s.fallbackTag : s.tag}`
      : `one of ${s.consumer === undefined ? '' : `${s.consumer} `}${s.tag}`;
  if (s.deployed === true) return s.environment === undefined ? 'deployed' : `deployed to ${s.environment}`;
  if (s.released === true) return s.environment === undefined ? 'released' : `released in ${s.environment}`;
  if (s.deployedOrReleased === true || s.environment !== undefined)
    return s.environment === undefined ? 'deployed or released' : `deployed or released in ${s.environment}`;
  return 'latest';
}
