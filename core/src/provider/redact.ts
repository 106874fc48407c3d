/** What a secret is shown as, wherever verification prints or stores it. */
export const REDACTED = '[redacted]';

const secretName =
  /^(?:authorization|proxy-authorization|cookie|set-cookie)$|token|key|secret|password|auth/i;

/**
 * True for a header that carries credentials: Authorization, Proxy-Authorization, Cookie, Set-Cookie,
 * and any header whose name contains token, key, secret, password or auth.
 * @example isSecretHeader('X-Api-Key') // true
 */
export function isSecretHeader(name: string): boolean {
  return secretName.test(name);
}

// Shorter values are not scrubbed from free text: replacing every `ab` would garble the output while
// hiding next to nothing. Such headers are still redacted by name.
const MIN_SCRUBBED = 4;

/** The strings a credential-bearing value can show up as: whole, without its scheme, basic auth decoded. */
function forms(value: string): string[] {
  const out = [value];
  const scheme = /^([A-Za-z][\w-]*)\s+(\S.*)$/.exec(value);
  if (scheme?.[2] !== undefined) {
    out.push(scheme[2]);
    if (scheme[1]?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(scheme[2], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon !== -1) out.push(decoded, decoded.slice(colon + 1));
    }
  }
  return out;
}

/**
 * Removes credentials from what verification prints and stores: header values by name, and known secret
 * values (and URL passwords) anywhere in free text, such as an error message or a provider's answer
 * echoed in a mismatch.
 */
export class Redactor {
  readonly #secrets: string[];

  /** `secrets`: values that must never be shown (tokens, passwords); `headers`: headers about to be sent. */
  constructor(
    options: { secrets?: ReadonlyArray<string | undefined>; headers?: Record<string, string> } = {},
  ) {
    const found = new Set<string>();
    for (const s of options.secrets ?? []) if (s !== undefined) for (const f of forms(s)) found.add(f);
    for (const [name, value] of Object.entries(options.headers ?? {}))
      if (isSecretHeader(name)) for (const f of forms(value)) found.add(f);
    // Longest first, so a value is replaced whole before a part of it is.
    this.#secrets = [...found]
      .filter((s) => s.trim().length >= MIN_SCRUBBED)
      .sort((a, b) => b.length - a.length);
  }

  /** Another redactor that also hides the secret headers among these (e.g. a request filter's token). */
  with(headers: Record<string, string>): Redactor {
    const more = Object.entries(headers).filter(([name]) => isSecretHeader(name));
    if (more.length === 0) return this;
    return new Redactor({ secrets: this.#secrets, headers: Object.fromEntries(more) });
  }

  /**
   * The text with every known secret and every URL password replaced by `[redacted]`.
   * @example new Redactor({ secrets: ['s3cr3t'] }).text('token s3cr3t') // 'token [redacted]'
   */
  text(value: string): string {
    // A URL password needs a scheme's `://` before it.
    let out = value.includes('://')
      ? value.replace(/(\b[a-z][\w+.-]*:\/\/[^/\s:@]*:)[^/\s@]*@/gi, `$1${REDACTED}@`)
      : value;
    for (const s of this.#secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }

  /** A JSON-like value with every string in it scrubbed as {@link Redactor.text} does. */
  value(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.value(v));
    if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.value(v)]));
    return value;
  }

  /**
   * The headers with every credential-bearing value replaced by `[redacted]`, other values scrubbed.
   * @example new Redactor().headers({ Authorization: 'Bearer x' }) // { Authorization: '[redacted]' }
   */
  headers(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers))
      out[name] = isSecretHeader(name) ? REDACTED : this.text(value);
    return out;
  }
}
