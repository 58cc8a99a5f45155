// Character classes shared by the scanners (char codes, no regexes).

export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

export function isAlnum(code: number): boolean {
  return isDigit(code) || isAsciiLetter(code);
}

/** Alphanumeric at `index`, false outside the text. */
export function alnumAt(text: string, index: number): boolean {
  return index >= 0 && index < text.length && isAlnum(text.charCodeAt(index));
}
