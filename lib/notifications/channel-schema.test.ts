import { describe, expect, it } from "vitest";
import { channelFromForm, channelInputSchema } from "./channel-schema";

const errors = (input: Record<string, unknown>) => {
  const parsed = channelInputSchema.safeParse(input);
  return parsed.success ? {} : Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0]), issue.message]));
};

describe("channelInputSchema", () => {
  it("accepts a Slack channel with both secrets, and a webhook over https", () => {
    const slack = channelInputSchema.parse({ name: "ops", kind: "slack", target: "C0123456789", secret: "xoxb-1", signingSecret: "abc" });
    expect(slack).toMatchObject({ connectionId: null, ruleId: null, escalation: false, enabled: true });
    expect(errors({ name: "hook", kind: "webhook", target: "https://hooks.example.com/x", secret: "0123456789abcdef" })).toEqual({});
    expect(errors({ name: "hook", kind: "webhook", target: "http://127.0.0.1:9/x", secret: "0123456789abcdef" })).toEqual({});
  });

  it("refuses a Slack channel name, a missing signing secret, plain http elsewhere, credentials in a URL, short secrets", () => {
    expect(errors({ name: "ops", kind: "slack", target: "#ops", secret: "xoxb-1" })).toHaveProperty("target");
    expect(errors({ name: "ops", kind: "slack", target: "C0123456789", secret: "xoxb-1" })).toHaveProperty("signingSecret");
    expect(errors({ name: "h", kind: "webhook", target: "http://hooks.example.com/x", secret: "0123456789abcdef" })).toHaveProperty("target");
    expect(errors({ name: "h", kind: "webhook", target: "https://u:p@hooks.example.com/x", secret: "0123456789abcdef" })).toHaveProperty("target");
    expect(errors({ name: "h", kind: "webhook", target: "https://hooks.example.com/x", secret: "short" })).toHaveProperty("secret");
    expect(errors({ name: "h", kind: "webhook", target: "https://hooks.example.com/x", secret: "0123456789abcdef", ruleId: "Not A Rule" })).toHaveProperty("ruleId");
  });

  it("lets an existing channel keep its secrets (blank), and reads the form's checkboxes", () => {
    const id = "7b0c4f0e-8a51-4a39-9f4e-6d2f2f3c1a11";
    expect(errors({ id, name: "ops", kind: "slack", target: "C0123456789" })).toEqual({});
    const form = new FormData();
    for (const [name, value] of Object.entries({ id: "", name: "ops", kind: "webhook", target: "https://h.example.com", secret: "0123456789abcdef", connectionId: "", ruleId: "", escalation: "on" })) {
      form.set(name, value);
    }
    expect(channelInputSchema.parse(channelFromForm(form))).toMatchObject({ id: undefined, connectionId: null, ruleId: null, escalation: true, enabled: false });
  });
});
