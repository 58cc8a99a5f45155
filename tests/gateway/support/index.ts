// The gateway tests' support: fixture (store, targets, people, agents, tokens, connections, policies),
// the gateway as a real process, HTTP helpers and leak scanners.
export * from "./fixture";
export * from "./process";
export * from "./http";
export * from "./leaks";
export * from "./shop";
