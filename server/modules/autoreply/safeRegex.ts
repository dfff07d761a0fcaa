// Regular expressions written by admins are checked when a rule is saved: a pattern that could
// backtrack for seconds on a crafted message (ReDoS) is refused, before any customer can send one.
// Two checks: nested quantifiers ("(a+)+", the classic shape), then the pattern run against
// adversarial inputs in a VM context with a time bound (V8 interrupts a running regex there).
import vm from 'node:vm';
import { compileRegex, REGEX_INPUT_MAX } from './match';

/** The longest pattern accepted. */
export const REGEX_MAX_LENGTH = 500;
// All probes of one pattern together: a safe pattern takes microseconds on them.
const PROBE_TIMEOUT_MS = 100;

export type RegexVerdict = { ok: true } | { ok: false; reason: 'invalid' | 'too_long' | 'nested_quantifier' | 'too_slow'; message: string };

const context = vm.createContext({ probes: [] as string[], pattern: '', flags: '' });
const probeScript = new vm.Script('{ const re = new RegExp(pattern, flags); for (const p of probes) { re.test(p); } }');

/** Whether a group holding a quantifier is itself quantified, e.g. (a+)+, (\w*)*, (a|b+){2,}. */
function hasNestedQuantifier(pattern: string): boolean {
  // Per open group: whether something inside it is quantified.
  const stack: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '\\') {
      i += 1;
      continue;
    }
    if (inClass) {
      inClass = c !== ']';
      continue;
    }
    const quantifierAt = (j: number) => pattern[j] === '*' || pattern[j] === '+' || pattern[j] === '?' || (pattern[j] === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(j)));
    if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      stack.push(false);
    } else if (c === ')') {
      const innerQuantified = stack.pop() ?? false;
      const quantified = quantifierAt(i + 1) && pattern[i + 1] !== '?';
      if (innerQuantified && quantified) {
        return true;
      }
      if (stack.length > 0 && (innerQuantified || quantified)) {
        stack[stack.length - 1] = true;
      }
    } else if ((c === '*' || c === '+' || c === '{') && quantifierAt(i) && stack.length > 0) {
      stack[stack.length - 1] = true;
    }
  }
  return false;
}

/** Inputs that make backtracking patterns slow: long runs of the pattern's own characters, then a mismatch. */
function probesFor(pattern: string): string[] {
  const literals = new Set([...pattern.replace(/\\./g, '')].filter((c) => /[\p{L}\p{N} ]/u.test(c)));
  for (const c of ['a', '1', ' ', 'x']) {
    literals.add(c);
  }
  const probes: string[] = [];
  const chars = [...literals].slice(0, 20);
  for (const c of chars) {
    probes.push(`${c.repeat(REGEX_INPUT_MAX - 1)}!`);
  }
  for (let i = 0; i + 1 < chars.length && i < 10; i += 1) {
    probes.push(`${(chars[i]! + chars[i + 1]!).repeat(REGEX_INPUT_MAX / 2 - 1)}!`);
  }
  return probes;
}

/** Whether a rule's regular expression may be saved. */
export function checkRegex(pattern: string): RegexVerdict {
  if (pattern.length > REGEX_MAX_LENGTH) {
    return { ok: false, reason: 'too_long', message: `at most ${REGEX_MAX_LENGTH} characters` };
  }
  let flags: string;
  try {
    // Valid in Unicode mode (the stricter syntax), whichever mode it then runs in.
    new RegExp(pattern, 'iu');
    flags = compileRegex(pattern).flags;
  } catch (err) {
    return { ok: false, reason: 'invalid', message: (err as Error).message };
  }
  if (hasNestedQuantifier(pattern)) {
    return { ok: false, reason: 'nested_quantifier', message: 'a repeated group holds a repetition, which can take exponential time' };
  }
  context.pattern = pattern;
  context.flags = flags;
  context.probes = probesFor(pattern);
  try {
    probeScript.runInContext(context, { timeout: PROBE_TIMEOUT_MS });
  } catch {
    return { ok: false, reason: 'too_slow', message: `it took over ${PROBE_TIMEOUT_MS} ms on a crafted message` };
  }
  return { ok: true };
}
