// The Web UI with sealed payloads, both ways an operator meets it:
//  1. without codec credentials: the codec server refuses the UI (401), the delivery's input
//     shows as ciphertext (the base64 of the sealed payload's data) and the secret value is
//     nowhere on the page;
//  2. signed in at the API's /codec/login with a support key and the UI's codec setting
//     "Include cross-origin credentials" on: the input shows decoded, secret value included.
// Saves one screenshot per view and fails unless both hold.
//
//   node check-codec.mjs --ui http://localhost:8233 --codec http://localhost:8080/codec \
//        --workflow-id dlv-... --secret 'value only in the input' --support-key KEY \
//        [--namespace default] [--sealed-shot a.png] [--decoded-shot b.png] [--timeout-ms 60000]
import { chromium } from 'playwright-core';

function args() {
  const a = { ui: 'http://localhost:8233', codec: 'http://localhost:8080/codec', namespace: 'default',
    sealedShot: 'codec-sealed.png', decodedShot: 'codec-decoded.png', timeoutMs: 60000,
    workflowId: null, secret: null, supportKey: null,
    chromium: process.env.CHROMIUM || '/usr/bin/chromium' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    a[key] = key === 'timeoutMs' ? Number(argv[i + 1]) : argv[i + 1];
  }
  if (!a.workflowId || !a.secret || !a.supportKey) {
    console.error('usage: --workflow-id, --secret and --support-key are required');
    process.exit(2);
  }
  return a;
}

const opts = args();
const page = `${opts.ui}/namespaces/${encodeURIComponent(opts.namespace)}/workflows/${encodeURIComponent(opts.workflowId)}`;
const browser = await chromium.launch({
  executablePath: opts.chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// Without the codec the UI shows a sealed payload's data: base64 of AES-GCM ciphertext.
const CIPHERTEXT = /[A-Za-z0-9+\/]{120,}/;

// Waits until the page text satisfies the predicate (payloads are decoded asynchronously).
async function waitForText(p, predicate, what) {
  const deadline = Date.now() + opts.timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await p.locator('body').innerText().catch(() => '');
    if (predicate(text)) return text;
    await p.waitForTimeout(1000);
  }
  throw new Error(`timed out waiting for ${what}; page text ends: ${text.slice(-1500)}`);
}

let failures = 0;
try {
  // 1. No credentials for the codec: the UI's decode call is refused (401), payloads stay sealed.
  const anonymous = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const p1 = await anonymous.newPage();
  const refused = [];
  p1.on('response', r => { if (r.url().startsWith(opts.codec) && r.status() >= 400) refused.push(r.status()); });
  await p1.goto(page, { waitUntil: 'domcontentloaded', timeout: opts.timeoutMs });
  try {
    const text = await waitForText(p1, t => t.includes('Input') && CIPHERTEXT.test(t),
      'the sealed input (ciphertext)');
    if (text.includes(opts.secret)) throw new Error('the secret value is on the page without the codec');
    if (!refused.includes(401)) throw new Error(`the codec did not refuse the UI (answers: ${refused})`);
    console.log(`sealed view: input shows ciphertext (${text.match(CIPHERTEXT)[0].slice(0, 40)}…), secret absent; codec answered ${[...new Set(refused)].join(',')}${text.includes('Codec Server could not connect') ? ', UI says "Codec Server could not connect"' : ''}`);
  } catch (e) {
    failures++;
    console.error(`sealed view FAILED: ${e.message}`);
  }
  await p1.screenshot({ path: opts.sealedShot, fullPage: false });
  await anonymous.close();

  // 2. An operator: sign in at the codec server, turn on the UI's "include credentials" setting.
  const operator = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const login = await operator.newPage();
  await login.goto(`${opts.codec}/login`, { waitUntil: 'domcontentloaded', timeout: opts.timeoutMs });
  await login.fill('input[name=apiKey]', opts.supportKey);
  await Promise.all([login.waitForLoadState('domcontentloaded'), login.click('button[type=submit]')]);
  const signedIn = await login.locator('body').innerText();
  if (!signedIn.includes('Signed in as')) throw new Error(`sign-in failed: ${signedIn}`);
  console.log(`operator: ${signedIn.split('\n').find(l => l.includes('Signed in as'))}`);
  // The UI's codec settings live in the browser's local storage; these are the values its
  // "Codec Server" dialog writes (endpoint, include cross-origin credentials, use the browser's
  // setting over the server's).
  await operator.addInitScript(({ codec }) => {
    localStorage.setItem('endpoint', JSON.stringify(codec));
    localStorage.setItem('includeCredentials', 'true');
    localStorage.setItem('passAccessToken', 'false');
    localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
  }, { codec: opts.codec });
  const p2 = await operator.newPage();
  const decodes = [];
  p2.on('response', r => { if (r.url().startsWith(`${opts.codec}/decode`)) decodes.push(r.status()); });
  await p2.goto(page, { waitUntil: 'domcontentloaded', timeout: opts.timeoutMs });
  try {
    await waitForText(p2, t => t.includes(opts.secret), `the decoded input with "${opts.secret}"`);
    console.log(`decoded view: input shows "${opts.secret}"; codec answered ${[...new Set(decodes)].join(',')}`);
  } catch (e) {
    failures++;
    console.error(`decoded view FAILED (codec answered ${decodes.join(',') || 'nothing'}): ${e.message}`);
  }
  await p2.screenshot({ path: opts.decodedShot, fullPage: false });
  await operator.close();
} finally {
  await browser.close();
}
console.log(`screenshots: ${opts.sealedShot} ${opts.decodedShot}`);
process.exit(failures === 0 ? 0 : 1);
