// Drives UiPath's TypeScript SDK (@uipath/uipath-typescript, unchanged) against a served mock.
//
// Usage: node drive.mjs '<json config>'  ->  one JSON object on stdout (what the SDK returned).
// Config: {baseUrl, orgName, tenantName, folderId, processName, mode: "secret" | "oauth",
//          secret?, clientId?, redirectUri?, scope?, acrossFolders?}
//
// "oauth" is the SDK's browser flow (authorization code with PKCE). Node has no browser, so
// this script is one: a window with a location the SDK navigates, a sessionStorage, a
// history. It follows the SDK's redirect to the authorize URL (the mock signs the default user
// in and redirects back with a code), then "reloads the page" at that URL: a new UiPath
// instance completes the flow exactly as it would in a browser tab. The SDK's code runs as
// published; only the environment around it is simulated.

const config = JSON.parse(process.argv[2]);
const navigations = [];

if (config.mode === "oauth") {
  const store = new Map();
  globalThis.sessionStorage = {
    getItem: (k) => (store.has(k) ? store.get(k) : null),
    setItem: (k, v) => store.set(k, String(v)),
    removeItem: (k) => store.delete(k),
    clear: () => store.clear(),
  };
  let href = config.redirectUri;
  const location = {
    get href() { return href; },
    set href(value) { navigations.push(value); href = value; },
    get search() { return new URL(href).search; },
  };
  globalThis.window = {
    document: { querySelector: () => null },
    location,
    history: { replaceState: (_s, _t, url) => { href = url; } },
    addEventListener: () => {},
    removeEventListener: () => {},
  };
  window.self = window;
  window.top = window;
  window.parent = window;
  globalThis.document = window.document;
}

const { UiPath } = await import("@uipath/uipath-typescript/core");
const { Processes } = await import("@uipath/uipath-typescript/processes");
const { Jobs } = await import("@uipath/uipath-typescript/jobs");
const { Assets } = await import("@uipath/uipath-typescript/assets");
const { Queues } = await import("@uipath/uipath-typescript/queues");

const base = {
  baseUrl: config.baseUrl,
  orgName: config.orgName,
  tenantName: config.tenantName,
};

async function signIn() {
  if (config.mode === "secret") {
    return new UiPath({ ...base, secret: config.secret });
  }
  const oauth = { ...base, clientId: config.clientId, redirectUri: config.redirectUri,
                  scope: config.scope };
  // 1. the first page load starts the flow: the SDK navigates to the authorize URL
  const first = new UiPath(oauth);
  await first.initialize();
  const authorizeUrl = navigations.at(-1);
  if (!authorizeUrl) throw new Error("the SDK did not navigate to the authorize URL");
  // 2. the browser follows it: the identity server redirects back with ?code=&state=
  const answer = await fetch(authorizeUrl, { redirect: "manual" });
  const back = answer.headers.get("location");
  if (answer.status !== 302 || !back) throw new Error(`authorize answered ${answer.status}`);
  window.location.href = back;
  // 3. the page reloads at the redirect URI: a new SDK instance completes the flow
  const second = new UiPath(oauth);
  await second.initialize();
  if (!second.isAuthenticated()) throw new Error("the SDK is not authenticated after the callback");
  return second;
}

const result = { navigations: [] };
try {
  const sdk = await signIn();
  result.navigations = navigations.map((url) => new URL(url).pathname);
  const processes = new Processes(sdk);
  const jobs = new Jobs(sdk);
  const assets = new Assets(sdk);
  const queues = new Queues(sdk);
  const folderId = config.folderId;

  const inFolder = await processes.getAll({ folderId });
  result.processNames = inFolder.items.map((p) => p.name);
  if (config.acrossFolders) {
    const everywhere = await processes.getAll();
    result.processNamesAcrossFolders = everywhere.items.map((p) => p.name);
  }
  const release = inFolder.items.find((p) => p.name === config.processName);
  result.processById = (await processes.getById(release.id, folderId)).name;
  const started = await processes.start({ processName: config.processName }, folderId);
  result.startedKey = started[0].key;
  result.startedState = started[0].state;
  const job = await jobs.getById(started[0].key, folderId);
  result.jobState = job.state;
  result.jobKeys = (await jobs.getAll({ folderId })).items.map((j) => j.key);
  const assetList = await assets.getAll({ folderId });
  result.assetNames = assetList.items.map((a) => a.name);
  result.assetsAcrossFolders = (await assets.getAll()).items.map((a) => a.name);
  result.assetById = (await assets.getById(assetList.items[0].id, folderId)).name;
  const queueList = await queues.getAll({ folderId });
  result.queueNames = queueList.items.map((q) => q.name);
  result.queuesAcrossFolders = (await queues.getAll()).items.map((q) => q.name);
  result.queueById = (await queues.getById(queueList.items[0].id, folderId)).name;
  await jobs.stop([started[0].key], folderId);
  result.stopped = true;
  result.ok = true;
} catch (error) {
  result.ok = false;
  result.error = String(error && error.stack ? error.stack : error).slice(0, 2000);
}
process.stdout.write(JSON.stringify(result) + "\n");
