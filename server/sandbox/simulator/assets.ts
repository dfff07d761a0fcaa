import { MEDIA_RULES } from '../media';
import { SIMULATOR_SCRIPT } from './script';

/** The file picker offers Meta's media types only; the sandbox refuses any other file anyway. */
const ACCEPT = Object.values(MEDIA_RULES).flatMap((rule) => rule.types).join(',');

const STYLE = `
* { box-sizing: border-box; }
body { margin: 0; height: 100vh; display: flex; flex-direction: column; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #e5ddd5; color: #111b21; }
header { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; padding: 10px 14px; background: #075e54; color: #fff; }
header h1 { font-size: 16px; margin: 0 16px 6px 0; }
header label { display: flex; flex-direction: column; font-size: 12px; gap: 2px; }
header input, header select { padding: 5px 6px; border: 0; border-radius: 4px; min-width: 150px; }
main { flex: 1; min-height: 0; display: flex; flex-direction: column; width: 100%; max-width: 860px; margin: 0 auto; }
#sim-messages { flex: 1; overflow-y: auto; list-style: none; margin: 0; padding: 14px; display: flex; flex-direction: column; gap: 6px; }
.sim-message { max-width: 75%; padding: 6px 9px; border-radius: 8px; box-shadow: 0 1px 1px rgba(0,0,0,.12); word-wrap: break-word; }
.sim-in { align-self: flex-end; background: #d9fdd3; }
.sim-out { align-self: flex-start; background: #fff; }
.sim-text { white-space: pre-wrap; }
.sim-header { font-weight: 600; margin-bottom: 2px; }
.sim-footer, .sim-meta, .sim-quote, .sim-section { font-size: 11px; color: #667781; }
.sim-quote { border-left: 3px solid #25d366; padding-left: 4px; margin-bottom: 3px; }
.sim-meta { display: flex; gap: 8px; align-items: center; justify-content: flex-end; margin-top: 2px; }
.sim-message[data-status="read"] .sim-meta { color: #53bdeb; }
.sim-message[data-status="failed"] .sim-meta { color: #d93025; }
.sim-reply-button, .sim-link-button { display: block; width: 100%; margin-top: 4px; padding: 6px; border: 0; border-top: 1px solid #e9edef; background: none; color: #008069; font: inherit; text-align: center; cursor: pointer; text-decoration: none; }
.sim-react { border: 0; background: none; cursor: pointer; padding: 0; font-size: 13px; }
.sim-image { max-width: 240px; max-height: 240px; border-radius: 6px; display: block; }
footer { display: flex; gap: 6px; padding: 8px 14px; background: #f0f2f5; align-items: center; }
#sim-text { flex: 1; padding: 9px 10px; border: 0; border-radius: 8px; font: inherit; }
#sim-send, #sim-read { padding: 8px 14px; border: 0; border-radius: 8px; background: #008069; color: #fff; font: inherit; cursor: pointer; }
#sim-read { background: #54656f; }
.sim-status { padding: 0 14px; min-height: 18px; font-size: 12px; }
.sim-error { color: #d93025; }
`;

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * The simulator: one HTML page, one script and one stylesheet as separate responses, so the
 * app's CSP (`script-src 'self'; style-src 'self'`) holds. Element ids are stable for tests.
 */
export function simulatorAssets(prefix: string): { html: string; script: string; style: string } {
  const base = escapeAttribute(prefix);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>WhatsApp customer simulator (sandbox)</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${base}/simulator/app.css">
</head>
<body data-base="${base}">
<header>
  <h1>Customer simulator</h1>
  <label>Business number <select id="sim-number"></select></label>
  <label>Customer wa_id <input id="sim-wa-id" inputmode="numeric" autocomplete="off" value="15551230001"></label>
  <label>Customer name <input id="sim-name" autocomplete="off" value="Test Customer"></label>
  <button id="sim-read" type="button" title="The customer opens the chat: business messages become read">Mark read</button>
</header>
<main>
  <ol id="sim-messages" aria-live="polite"></ol>
  <div id="sim-status" class="sim-status" role="status"></div>
  <footer>
    <input id="sim-file" type="file" aria-label="Attach a file" accept="${ACCEPT}">
    <input id="sim-text" type="text" placeholder="Type a message (or a caption)" autocomplete="off">
    <button id="sim-send" type="button">Send</button>
  </footer>
</main>
<script src="${base}/simulator/app.js"></script>
</body>
</html>
`;
  return { html, script: SIMULATOR_SCRIPT, style: STYLE };
}
