// Where to send someone after signing in. Only a path on this site: never another origin ("//evil.example",
// "/\\evil.example", "https://…"), never back to the sign-in page or the auth API.

export const REQUEST_PATH_HEADER = "x-airlock-path";

export function safeReturnPath(value: string | string[] | null | undefined): string {
  const candidate = Array.isArray(value) ? value[0] : value;
  if (!candidate || candidate.length > 2048) return "/";
  if (!candidate.startsWith("/") || candidate.startsWith("//") || candidate.startsWith("/\\")) return "/";
  if (/[\u0000-\u001f\\]/.test(candidate)) return "/";
  let url: URL;
  try {
    url = new URL(candidate, "http://airlock.invalid");
  } catch {
    return "/";
  }
  if (url.origin !== "http://airlock.invalid") return "/";
  if (url.pathname === "/signin" || url.pathname.startsWith("/api/")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The sign-in page, remembering where to come back to. */
export function signInPath(returnTo: string | null | undefined): string {
  const path = safeReturnPath(returnTo);
  return path === "/" ? "/signin" : `/signin?callbackUrl=${encodeURIComponent(path)}`;
}
