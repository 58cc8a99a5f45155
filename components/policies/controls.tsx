"use client";

import { describedBy, Field, TextArea } from "@/components/ui/field";

// Small controls of the policy editor: a list of names typed as text, and a group of checkboxes. Both render
// their validation message beside themselves through the shared Field.

export function ListField({ id, label, help, value, error, onChange, placeholder }: {
  id: string;
  label: string;
  help?: string;
  value: string;
  error?: string;
  placeholder?: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field id={id} label={label} help={help ?? "Comma- or line-separated; * and ? are wildcards."} error={error}>
      <TextArea id={id} rows={1} value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} className="min-h-9 font-mono" {...describedBy(id, error)} />
    </Field>
  );
}

export function CheckGroup({ id, legend, options, value, error, onChange, help }: {
  id: string;
  legend: string;
  options: readonly (string | { readonly value: string; readonly label: string })[];
  value: readonly string[];
  error?: string;
  help?: string;
  onChange: (value: string[]) => void;
}) {
  return (
    <fieldset aria-describedby={error ? `${id}-error` : undefined}>
      <legend className="text-sm font-medium text-slate-700">{legend}</legend>
      {help ? <p className="text-xs text-slate-500">{help}</p> : null}
      <div className="mt-1.5 flex flex-wrap gap-x-4 gap-y-1.5">
        {options.map((option) => {
          const { value: v, label } = typeof option === "string" ? { value: option, label: option } : option;
          const checked = value.includes(v);
          return (
            <label key={v} className="inline-flex items-center gap-1.5 text-sm text-slate-700">
              <input
                type="checkbox"
                className="size-4 rounded border-slate-300 text-brand-600 focus:ring-brand-600"
                checked={checked}
                onChange={() => onChange(checked ? value.filter((x) => x !== v) : [...value, v])}
              />
              {label}
            </label>
          );
        })}
      </div>
      {error ? (
        <p id={`${id}-error`} className="mt-1.5 text-sm text-red-600">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
