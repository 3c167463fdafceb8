#!/usr/bin/env node
// A UiPath Orchestrator client in Node.js 20 (built-in fetch, no packages) that speaks the
// conformance suite's JSON-lines protocol (conformance/PROTOCOL.md):
//
//   orchestrator-kit check --client-cmd "node examples/node-client/client.mjs"
//
// Configuration comes from UIPATH_* environment variables; requests arrive on stdin, one JSON
// object a line, and answers go to stdout the same way. Logs go to stderr, never a secret.
// What it does right: one refresh at a time (single flight), a refresh and one replay on a
// 401, rotation saved to the token store before use, invalid_grant is final, Retry-After
// honoured, idempotent GETs retried with backoff (bounded), StartJobs never resent, every
// request with a timeout, redirects and HTML never taken for a token, folder paths encoded.

import { readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { createInterface } from "node:readline";

const env = process.env;
const cfg = {
  profile: env.UIPATH_PROFILE ?? "identity",
  credential: env.UIPATH_CREDENTIAL ?? "client_credentials",
  url: (env.UIPATH_URL ?? "").replace(/\/+$/, ""),
  tenant: env.UIPATH_TENANT,
  identityUrl: env.UIPATH_IDENTITY_URL,
  legacyTokenUrl: env.UIPATH_LEGACY_TOKEN_URL,
  clientId: env.UIPATH_CLIENT_ID,
  clientSecret: env.UIPATH_CLIENT_SECRET,
  scope: env.UIPATH_SCOPE,
  username: env.UIPATH_USERNAME,
  password: env.UIPATH_PASSWORD,
  tokenStore: env.UIPATH_TOKEN_STORE,
  timeoutMs: 1000 * Number(env.UIPATH_TIMEOUT ?? 30),
};
const MAX_TRIES = 3;
const log = (msg) => process.stderr.write(`node-client: ${msg}\n`);

class ClientError extends Error {}
class ReauthenticationRequired extends ClientError {}

// -- tokens -----------------------------------------------------------------------------------

const state = {
  access: null,
  expiresAt: 0,
  refreshToken: env.UIPATH_REFRESH_TOKEN ?? env.UIPATH_USER_KEY ?? null,
  inFlight: null, // the one refresh everybody waits for
  dead: null, // set by invalid_grant: no more token requests
};
if (cfg.tokenStore && existsSync(cfg.tokenStore)) {
  try {
    state.refreshToken = JSON.parse(readFileSync(cfg.tokenStore, "utf8")).refresh_token ?? state.refreshToken;
  } catch {
    log("token store unreadable; using the configured credential");
  }
}

function saveStore() {
  if (!cfg.tokenStore || !state.refreshToken) return;
  const tmp = `${cfg.tokenStore}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ refresh_token: state.refreshToken }), { mode: 0o600 });
  renameSync(tmp, cfg.tokenStore); // atomic: a crash never leaves half a token
}

function tokenRequest() {
  const json = (body) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  switch (cfg.credential) {
    case "user_key":
      return [cfg.legacyTokenUrl, json({ grant_type: "refresh_token", client_id: cfg.clientId, refresh_token: state.refreshToken })];
    case "password":
      return [`${cfg.url}/api/Account/Authenticate`, json({ tenancyName: cfg.tenant, usernameOrEmailAddress: cfg.username, password: cfg.password })];
    default: {
      const form = new URLSearchParams({ grant_type: cfg.credential, client_id: cfg.clientId ?? "" });
      if (cfg.credential === "client_credentials") {
        form.set("client_secret", cfg.clientSecret ?? "");
        form.set("scope", cfg.scope ?? "");
      } else {
        form.set("refresh_token", state.refreshToken ?? "");
      }
      return [`${cfg.identityUrl}/connect/token`, { method: "POST", body: form }];
    }
  }
}

async function fetchToken() {
  if (state.dead) throw state.dead;
  const [url, init] = tokenRequest();
  const response = await fetch(url, {
    ...init,
    headers: { accept: "application/json", ...(init.headers ?? {}) },
    redirect: "manual", // a 302 to a login page is a failure, never followed
    signal: AbortSignal.timeout(cfg.timeoutMs),
  });
  const type = response.headers.get("content-type") ?? "";
  let body = null;
  if (type.includes("json")) body = await response.json().catch(() => null);
  else await response.arrayBuffer();
  if (response.status !== 200 || body === null || typeof body !== "object") {
    if (body && body.error === "invalid_grant") {
      state.dead = new ReauthenticationRequired("the refresh token was refused (invalid_grant): log in again");
      throw state.dead;
    }
    throw new ClientError(`the token endpoint answered ${response.status} ${type || "without a content type"}`);
  }
  const access = body.access_token ?? body.result;
  if (typeof access !== "string" || !access) throw new ClientError("the token response has no access token");
  const lifetime = Number(body.expires_in) || lifetimeOf(access) || 1800;
  state.access = access;
  state.expiresAt = Date.now() + 1000 * (lifetime - Math.max(60, lifetime / 10));
  if (body.refresh_token) {
    state.refreshToken = body.refresh_token; // rotation: save before the new token is used
    saveStore();
  }
  log(`token for ${cfg.credential} valid ${lifetime} s`);
  return access;
}

function lifetimeOf(jwt) {
  try {
    const claims = JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));
    return claims.exp - claims.iat;
  } catch {
    return 0;
  }
}

// stale: the token that just got a 401 -- refresh unless someone already replaced it.
async function token(stale = null) {
  if (state.access && state.access !== stale && Date.now() < state.expiresAt) return state.access;
  if (stale && state.access && state.access !== stale) return state.access;
  if (!state.inFlight) {
    state.inFlight = fetchToken().finally(() => { state.inFlight = null; });
  }
  return state.inFlight;
}

// -- Orchestrator -----------------------------------------------------------------------------

const orchestrator = cfg.profile === "identity" ? `${cfg.url}/orchestrator_` : cfg.url;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function retryAfter(response, attempt) {
  const value = response.headers.get("retry-after");
  if (value !== null) {
    if (/^\d+$/.test(value.trim())) return 1000 * Number(value);
    const when = Date.parse(value);
    if (!Number.isNaN(when)) return Math.max(0, when - Date.now());
  }
  return 100 * 2 ** attempt;
}

async function call(method, path, folder, body) {
  const idempotent = method === "GET";
  let stale = null;
  let replayed = false;
  for (let attempt = 1; ; attempt++) {
    const bearer = await token(stale);
    let response;
    try {
      response = await fetch(orchestrator + path, {
        method,
        headers: {
          accept: "application/json",
          authorization: `Bearer ${bearer}`,
          "x-uipath-folderpath-encoded": Buffer.from(folder, "utf16le").toString("base64"),
          ...(body ? { "content-type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        redirect: "manual",
        signal: AbortSignal.timeout(cfg.timeoutMs),
      });
    } catch (error) {
      if (idempotent && attempt < MAX_TRIES) { await sleep(100 * 2 ** attempt); continue; }
      throw new ClientError(`${method} ${path}: ${error.name === "TimeoutError" ? "timed out" : "connection failed"}`);
    }
    if (response.status === 401 && !replayed) {
      await response.arrayBuffer();
      replayed = true;
      stale = bearer;
      attempt--; // the replay after a refresh is not a retry
      continue;
    }
    const retryable = response.status === 429 || (idempotent && [502, 503, 504].includes(response.status));
    if (retryable && attempt < MAX_TRIES) {
      await response.arrayBuffer();
      await sleep(retryAfter(response, attempt));
      continue;
    }
    const text = await response.text();
    if (response.status >= 300) {
      throw new ClientError(`${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`);
    }
    try { return JSON.parse(text); } catch { throw new ClientError(`${method} ${path}: not JSON`); }
  }
}

const jobIds = new Map();

async function startJob({ process: name, folder, input_arguments }) {
  const filter = encodeURIComponent(`Name eq '${name.replaceAll("'", "''")}'`);
  const releases = await call("GET", `/odata/Releases?$filter=${filter}`, folder);
  const release = releases.value?.[0];
  if (!release) throw new ClientError(`no process named ${name} in ${folder}`);
  const startInfo = {
    ReleaseKey: release.Key, Strategy: "ModernJobsCount", JobsCount: 1,
    InputArguments: JSON.stringify(input_arguments ?? {}),
  };
  const started = await call("POST", "/odata/Jobs/UiPath.Server.Configuration.OData.StartJobs", folder, { startInfo });
  const job = started.value[0];
  jobIds.set(job.Key, job.Id);
  return { job_key: job.Key };
}

async function getJobState({ job_key, folder }) {
  const id = jobIds.get(job_key);
  const path = id !== undefined
    ? `/odata/Jobs(${id})`
    : `/odata/Jobs/UiPath.Server.Configuration.OData.GetByKey(identifier=${job_key})`;
  return { state: (await call("GET", path, folder)).State };
}

// -- the protocol -----------------------------------------------------------------------------

function answer(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

async function handle(request) {
  const { id, op } = request;
  try {
    switch (op) {
      case "hello":
        if (cfg.credential === "password" && cfg.profile !== "onprem") {
          return answer({ id, ok: false, not_supported: true,
            error: "username/password does not work on Automation Cloud (the errorCode 1000 trap); use an external application or a refresh token" });
        }
        return answer({ id, ok: true, name: "node-client", protocol: 1 });
      case "start_job": return answer({ id, ok: true, ...(await startJob(request)) });
      case "get_job_state": return answer({ id, ok: true, ...(await getJobState(request)) });
      case "close":
        answer({ id, ok: true });
        process.exit(0);
      default:
        return answer({ id, ok: false, error: `unknown op ${op}` });
    }
  } catch (error) {
    answer({ id, ok: false, error: error instanceof ClientError ? error.message : `${error.name}: ${error.message}` });
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (!line.trim()) return;
  let request;
  try { request = JSON.parse(line); } catch { return answer({ ok: false, error: "not JSON" }); }
  handle(request); // not awaited: requests run concurrently, answers carry their id
});
lines.on("close", () => process.exit(0));
