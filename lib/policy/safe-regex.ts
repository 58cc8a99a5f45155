// Regex rules are a last resort over the normalized statement text. JavaScript regexes backtrack, so a careless
// pattern such as `(a+)+$` can stall the gateway on a crafted statement. This is a conservative static check,
// not a proof: it rejects the shapes that cause exponential backtracking (a quantified group that itself
// contains an unbounded quantifier or an alternation, back-references) and caps size and quantifier count.

export const REGEX_MAX_LENGTH = 512;
export const REGEX_MAX_UNBOUNDED = 6;
export const REGEX_FLAGS = /^[ims]*$/;

/** Returns a problem description, or undefined when the pattern is acceptable. */
export function regexProblem(source: string, flags = ""): string | undefined {
  if (source.length === 0) return "regex is empty";
  if (source.length > REGEX_MAX_LENGTH) return `regex is longer than ${REGEX_MAX_LENGTH} characters`;
  if (!REGEX_FLAGS.test(flags)) return "regex flags may only be i, m, s";
  try {
    new RegExp(source, flags);
  } catch (e) {
    return `invalid regex: ${e instanceof Error ? e.message : String(e)}`;
  }
  return structureProblem(source);
}

interface GroupState {
  unbounded: boolean; // contains an unbounded quantifier (*, +, {n,})
  alternation: boolean;
}

function structureProblem(src: string): string | undefined {
  const stack: GroupState[] = [{ unbounded: false, alternation: false }];
  let unboundedCount = 0;
  let lastClosed: GroupState | undefined; // the group that just closed, if the next token may quantify it
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    const top = stack[stack.length - 1];
    const quant = quantifierAt(src, i);
    if (quant !== undefined) {
      if (quant.unbounded) {
        unboundedCount++;
        if (lastClosed !== undefined && (lastClosed.unbounded || lastClosed.alternation))
          return "regex has a repeated group that contains a repetition or alternation (catastrophic backtracking)";
        top.unbounded = true;
      } else if (lastClosed !== undefined && lastClosed.unbounded) {
        return "regex has a repeated group that contains a repetition (catastrophic backtracking)";
      }
      i = quant.end - 1;
      if (src[i + 1] === "?") i++; // lazy modifier
      lastClosed = undefined;
      continue;
    }
    lastClosed = undefined;
    if (ch === "\\") {
      const next = src[i + 1];
      if (next !== undefined && /[1-9k]/.test(next)) return "regex back-references are not allowed";
      i++;
    } else if (ch === "[") {
      i = classEnd(src, i);
    } else if (ch === "(") {
      stack.push({ unbounded: false, alternation: false });
      if (src[i + 1] === "?") {
        // (?: (?= (?! (?<= (?<! (?<name>
        i++;
        if (src[i + 1] === "<" && src[i + 2] !== "=" && src[i + 2] !== "!") {
          const close = src.indexOf(">", i);
          if (close > 0) i = close;
        } else i++;
      }
    } else if (ch === ")") {
      const closed = stack.pop();
      if (closed === undefined || stack.length === 0) return "regex has unbalanced parentheses";
      const parent = stack[stack.length - 1];
      parent.unbounded ||= closed.unbounded;
      lastClosed = closed;
    } else if (ch === "|") {
      top.alternation = true;
    }
  }
  if (unboundedCount > REGEX_MAX_UNBOUNDED) return `regex has more than ${REGEX_MAX_UNBOUNDED} unbounded repetitions`;
  return undefined;
}

function quantifierAt(src: string, i: number): { unbounded: boolean; end: number } | undefined {
  const ch = src[i];
  if (ch === "*" || ch === "+") return { unbounded: true, end: i + 1 };
  if (ch === "?") return { unbounded: false, end: i + 1 };
  if (ch === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i, i + 24));
    if (m === null) return undefined;
    const unbounded = m[2] !== undefined && (m[3] === "" || Number(m[3]) > 64);
    return { unbounded, end: i + m[0].length };
  }
  return undefined;
}

function classEnd(src: string, start: number): number {
  let i = start + 1;
  if (src[i] === "^") i++;
  if (src[i] === "]") i++;
  for (; i < src.length; i++) {
    if (src[i] === "\\") i++;
    else if (src[i] === "]") return i;
  }
  return src.length;
}
