import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";

// A labelled form field with its help text and its validation message beside it. The control inside gets the
// ids it needs through `controlProps(id, error)` so screen readers announce the help and the error.
//
//   <Field id="name" label="Name" help="What agents type" error={errors.name}>
//     <TextInput id="name" name="name" {...describedBy("name", errors.name)} />
//   </Field>

export function Field({ id, label, help, error, children }: { id: string; label: string; help?: ReactNode; error?: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {help ? (
        <p id={`${id}-help`} className="text-xs text-slate-500">
          {help}
        </p>
      ) : null}
      <div className="mt-1.5">{children}</div>
      {error ? (
        <p id={`${id}-error`} className="mt-1.5 text-sm text-red-600">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** aria attributes tying a control to its Field's help and error. */
export function describedBy(id: string, error?: string, hasHelp = true): { "aria-invalid"?: true; "aria-describedby"?: string } {
  const ids = [hasHelp ? `${id}-help` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return { ...(error ? { "aria-invalid": true as const } : {}), ...(ids ? { "aria-describedby": ids } : {}) };
}

export function controlClass(invalid = false, extra = ""): string {
  return `block w-full rounded-lg border bg-white px-3 py-2 text-sm shadow-xs outline-none focus:ring-2 ${
    invalid ? "border-red-400 focus:border-red-500 focus:ring-red-100" : "border-slate-300 focus:border-brand-600 focus:ring-brand-100"
  } ${extra}`;
}

export function TextInput({ className = "", ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return <input className={controlClass(props["aria-invalid"] === true, className)} {...props} />;
}

export function TextArea({ className = "", ...props }: TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <textarea className={controlClass(props["aria-invalid"] === true, className)} {...props} />;
}

export function Select({ className = "", ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select className={controlClass(props["aria-invalid"] === true, className)} {...props} />;
}

/** A checkbox with its label to the right. */
export function Checkbox({ id, label, help, ...props }: InputHTMLAttributes<HTMLInputElement> & { id: string; label: string; help?: string }) {
  return (
    <div className="flex items-start gap-2">
      <input id={id} type="checkbox" className="mt-0.5 size-4 rounded border-slate-300 text-brand-600 focus:ring-brand-600" {...props} />
      <div>
        <label htmlFor={id} className="text-sm font-medium text-slate-700">
          {label}
        </label>
        {help ? <p className="text-xs text-slate-500">{help}</p> : null}
      </div>
    </div>
  );
}
