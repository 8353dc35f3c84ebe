// Opens the Temporal Web UI the way an operator would, filters the workflow list with
// DeliveryStatus = "NEEDS_ATTENTION", saves a screenshot, and fails unless the given delivery
// is listed.
//
//   node check-needs-attention.mjs --ui http://localhost:8233 --workflow-id dlv-... \
//        [--namespace default] [--screenshot out.png] [--timeout-ms 60000]
import { chromium } from 'playwright-core';

function args() {
  const a = { ui: 'http://localhost:8233', namespace: 'default', screenshot: 'needs-attention.png',
    timeoutMs: 60000, workflowId: null, chromium: process.env.CHROMIUM || '/usr/bin/chromium' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    a[key] = key === 'timeoutMs' ? Number(argv[i + 1]) : argv[i + 1];
  }
  if (!a.workflowId) {
    console.error('usage: --workflow-id ID is required');
    process.exit(2);
  }
  return a;
}

const opts = args();
const query = 'DeliveryStatus = "NEEDS_ATTENTION"';
const url = `${opts.ui}/namespaces/${encodeURIComponent(opts.namespace)}/workflows?query=${encodeURIComponent(query)}`;

// Flags: no sandbox as root, and no background traffic (this machine has no internet).
const browser = await chromium.launch({
  executablePath: opts.chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let ok = false;
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: opts.timeoutMs });
  const deadline = Date.now() + opts.timeoutMs;
  // Visibility is eventually consistent: reload until the delivery shows up or time runs out.
  while (Date.now() < deadline) {
    try {
      await page.getByText(opts.workflowId, { exact: false }).first()
        .waitFor({ state: 'visible', timeout: 5000 });
      ok = true;
      break;
    } catch {
      await page.reload({ waitUntil: 'domcontentloaded' });
    }
  }
  await page.screenshot({ path: opts.screenshot, fullPage: false });
  console.log(`${ok ? 'listed' : 'NOT listed'}: ${opts.workflowId} under ${query}; screenshot ${opts.screenshot}`);
} finally {
  await browser.close();
}
process.exit(ok ? 0 : 1);
