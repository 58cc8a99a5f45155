import { tokenizeSql, type SqlTokenKind } from "./sql-tokens";

// A statement with its keywords, strings, numbers and comments coloured. Every token is rendered as React text,
// so whatever the statement holds is shown, never interpreted as markup.

const TOKEN_CLASS: Record<SqlTokenKind, string | undefined> = {
  keyword: "font-semibold text-sky-300",
  string: "text-amber-200",
  number: "text-emerald-300",
  comment: "italic text-slate-400",
  identifier: "text-violet-200",
  operator: "text-slate-300",
  text: undefined,
};

export function SqlCode({ sql, className = "" }: { sql: string; className?: string }) {
  return (
    <pre className={`overflow-x-auto rounded-lg bg-slate-900 px-4 py-3 font-mono text-[13px] leading-relaxed whitespace-pre-wrap break-words text-slate-100 ${className}`}>
      <code data-sql="">
        {tokenizeSql(sql).map((token, index) => {
          const tokenClass = TOKEN_CLASS[token.kind];
          return tokenClass ? (
            <span key={index} className={tokenClass} data-token={token.kind}>
              {token.text}
            </span>
          ) : (
            token.text
          );
        })}
      </code>
    </pre>
  );
}
