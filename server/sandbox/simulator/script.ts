/**
 * The simulator page's script, served as one static file (the CSP forbids inline scripts). It is
 * plain browser JavaScript kept in a string so the compiled server ships it without a build step;
 * it never uses innerHTML, so message text cannot inject markup.
 */
export const SIMULATOR_SCRIPT = String.raw`(function () {
  'use strict';
  var base = document.body.getAttribute('data-base') || '';
  function byId(id) { return document.getElementById(id); }
  var els = {
    number: byId('sim-number'), waId: byId('sim-wa-id'), name: byId('sim-name'), text: byId('sim-text'),
    send: byId('sim-send'), file: byId('sim-file'), messages: byId('sim-messages'), status: byId('sim-status'),
    read: byId('sim-read')
  };
  var templates = {};
  var lastJson = '';
  var polling = false;

  // Headers the host wants on every write (the panel's CSRF token), from control/session.
  var writeHeaders = {};
  // Headers the host wants on polling requests (the panel: they are not the user's activity).
  var pollHeaders = {};

  function loadSession() {
    return api('GET', '/control/session').then(function (session) { writeHeaders = session.writeHeaders || {}; pollHeaders = session.pollHeaders || {}; });
  }
  function api(method, path, body, retried, headers) {
    var init = { method: method, headers: Object.assign({}, headers || {}), credentials: 'same-origin' };
    if (method !== 'GET') { Object.keys(writeHeaders).forEach(function (k) { init.headers[k] = writeHeaders[k]; }); }
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(base + path, init).then(function (res) {
      if (res.status === 401) { throw new Error('You are signed out: sign in to the panel in another tab, then reload this page.'); }
      return res.json().catch(function () { return null; }).then(function (json) {
        var id = json && json.error && json.error.id;
        // Signing in again elsewhere gives the session a new CSRF token: read it and try once more.
        if (id === 'csrf_failed' && !retried) { return loadSession().then(function () { return api(method, path, body, true); }); }
        if (!res.ok) { throw new Error((json && json.error && json.error.message) || res.statusText); }
        return json;
      });
    });
  }
  function showStatus(text, isError) {
    els.status.textContent = text || '';
    els.status.className = isError ? 'sim-status sim-error' : 'sim-status';
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function customer() {
    return { phoneNumberId: els.number.value, from: els.waId.value.replace(/\D/g, ''), profileName: els.name.value || undefined };
  }
  function remember() {
    try { localStorage.setItem('sandbox-sim', JSON.stringify({ number: els.number.value, waId: els.waId.value, name: els.name.value })); } catch (e) { /* private mode */ }
  }
  function restore() {
    try {
      var saved = JSON.parse(localStorage.getItem('sandbox-sim') || '{}');
      if (saved.waId) { els.waId.value = saved.waId; }
      if (saved.name) { els.name.value = saved.name; }
      return saved.number;
    } catch (e) { return undefined; }
  }

  function send(message) {
    var c = customer();
    if (!c.phoneNumberId || c.from.length < 6) { showStatus('Pick a number and a customer wa_id (digits).', true); return Promise.resolve(); }
    remember();
    c.message = message;
    return api('POST', '/control/customer-messages', c).then(function () { showStatus(''); return poll(true); })
      .catch(function (err) { showStatus(err.message, true); });
  }
  // Meta's media types (the sandbox refuses any other file, HTML and scripts included).
  function mediaType(mime) {
    if (mime === 'image/jpeg' || mime === 'image/png') { return 'image'; }
    if (mime === 'image/webp') { return 'sticker'; }
    if (mime === 'video/mp4' || mime === 'video/3gpp') { return 'video'; }
    if (mime.indexOf('audio/') === 0) { return 'audio'; }
    return 'document';
  }
  function sendComposed() {
    var text = els.text.value;
    var file = els.file.files && els.file.files[0];
    if (!file) {
      if (!text.trim()) { return; }
      els.text.value = '';
      send({ type: 'text', body: text });
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      var dataUrl = String(reader.result);
      var type = mediaType(file.type || 'application/octet-stream');
      var message = { type: type, bytesBase64: dataUrl.slice(dataUrl.indexOf(',') + 1), mimeType: file.type || 'application/octet-stream' };
      if (text.trim() && type !== 'audio' && type !== 'sticker') { message.caption = text; }
      if (type === 'document') { message.filename = file.name; }
      els.text.value = '';
      els.file.value = '';
      send(message);
    };
    reader.readAsDataURL(file);
  }

  function fill(text, params) {
    return String(text || '').replace(/\{\{\s*([a-z0-9_]+)\s*\}\}/gi, function (all, key) {
      var found = null;
      params.forEach(function (p, i) { if (p.parameter_name === key || String(i + 1) === key) { found = p; } });
      if (!found) { return all; }
      return found.text || (found.currency && found.currency.fallback_value) || (found.date_time && found.date_time.fallback_value) || all;
    });
  }
  function paramsOf(body, type) {
    var list = [];
    (body.components || []).forEach(function (c) { if (String(c.type).toLowerCase() === type) { list = c.parameters || []; } });
    return list;
  }
  function replyButton(label, kind, wamid, data) {
    var b = el('button', 'sim-reply-button', label);
    b.type = 'button';
    b.setAttribute('data-reply-kind', kind);
    b.setAttribute('data-context', wamid);
    Object.keys(data).forEach(function (k) { b.setAttribute('data-' + k, data[k]); });
    return b;
  }
  function renderMedia(box, type, body) {
    if (body.id && (type === 'image' || type === 'sticker')) {
      var img = el('img', 'sim-image');
      img.alt = type;
      img.src = base + '/control/media/' + encodeURIComponent(body.id);
      box.appendChild(img);
    } else {
      var a = el('a', 'sim-file-link', body.filename || body.link || (type + ' ' + (body.mime_type || '')));
      a.href = body.id ? base + '/control/media/' + encodeURIComponent(body.id) : body.link;
      a.target = '_blank';
      a.rel = 'noopener';
      box.appendChild(a);
    }
    if (body.caption) { box.appendChild(el('div', 'sim-text', body.caption)); }
  }
  function renderTemplate(box, m) {
    var t = templates[m.body.name + '|' + (m.body.language && m.body.language.code)];
    if (!t) { box.appendChild(el('div', 'sim-text', 'Template ' + m.body.name)); return; }
    t.components.forEach(function (c) {
      var type = String(c.type).toUpperCase();
      if (type === 'HEADER' && c.text) { box.appendChild(el('div', 'sim-header', fill(c.text, paramsOf(m.body, 'header')))); }
      if (type === 'BODY') { box.appendChild(el('div', 'sim-text', fill(c.text, paramsOf(m.body, 'body')))); }
      if (type === 'FOOTER') { box.appendChild(el('div', 'sim-footer', c.text)); }
      if (type === 'BUTTONS') {
        (c.buttons || []).forEach(function (b) {
          if (b.type === 'QUICK_REPLY') { box.appendChild(replyButton(b.text, 'button', m.wamid, { text: b.text })); }
          else { box.appendChild(el('div', 'sim-link-button', b.text)); }
        });
      }
    });
  }
  function renderInteractive(box, m) {
    var i = m.body;
    if (m.direction === 'in') {
      var reply = i.button_reply || i.list_reply || {};
      box.appendChild(el('div', 'sim-text', reply.title));
      return;
    }
    if (i.header && i.header.text) { box.appendChild(el('div', 'sim-header', i.header.text)); }
    if (i.body) { box.appendChild(el('div', 'sim-text', i.body.text)); }
    if (i.footer) { box.appendChild(el('div', 'sim-footer', i.footer.text)); }
    var action = i.action || {};
    (action.buttons || []).forEach(function (b) {
      box.appendChild(replyButton(b.reply.title, 'button_reply', m.wamid, { 'reply-id': b.reply.id }));
    });
    (action.sections || []).forEach(function (s) {
      if (s.title) { box.appendChild(el('div', 'sim-section', s.title)); }
      (s.rows || []).forEach(function (r) {
        box.appendChild(replyButton(r.title + (r.description ? ' — ' + r.description : ''), 'list_reply', m.wamid, { 'reply-id': r.id }));
      });
    });
    if (action.parameters && action.parameters.url) {
      var a = el('a', 'sim-link-button', action.parameters.display_text);
      a.href = action.parameters.url; a.target = '_blank'; a.rel = 'noopener';
      box.appendChild(a);
    }
  }
  function renderMessage(m) {
    var li = el('li', 'sim-message sim-' + m.direction);
    li.setAttribute('data-direction', m.direction);
    li.setAttribute('data-wamid', m.wamid);
    li.setAttribute('data-type', m.type);
    if (m.status) { li.setAttribute('data-status', m.status); }
    var b = m.body || {};
    if (m.context) { li.appendChild(el('div', 'sim-quote', 'Reply')); }
    if (m.type === 'text') { li.appendChild(el('div', 'sim-text', b.body)); }
    else if (['image', 'audio', 'video', 'document', 'sticker'].indexOf(m.type) >= 0) { renderMedia(li, m.type, b); }
    else if (m.type === 'location') { li.appendChild(el('div', 'sim-text', 'Location: ' + [b.name, b.address, b.latitude + ', ' + b.longitude].filter(Boolean).join(' · '))); }
    else if (m.type === 'contacts') { li.appendChild(el('div', 'sim-text', 'Contacts: ' + (b || []).map(function (c) { return c.name && c.name.formatted_name; }).join(', '))); }
    else if (m.type === 'interactive') { renderInteractive(li, m); }
    else if (m.type === 'template') { renderTemplate(li, m); }
    else if (m.type === 'button') { li.appendChild(el('div', 'sim-text', b.text)); }
    else if (m.type === 'reaction') { li.appendChild(el('div', 'sim-text', b.emoji ? 'Reacted ' + b.emoji : 'Removed a reaction')); }
    else { li.appendChild(el('div', 'sim-text', m.type)); }
    var meta = el('div', 'sim-meta', new Date(m.at).toLocaleTimeString() + (m.direction === 'out' ? ' · ' + (m.status || '') : ''));
    if (m.direction === 'out' && m.type !== 'reaction') {
      var react = el('button', 'sim-react', '\uD83D\uDC4D');
      react.type = 'button';
      react.title = 'React';
      react.setAttribute('data-react-to', m.wamid);
      meta.appendChild(react);
    }
    li.appendChild(meta);
    return li;
  }
  function render(messages) {
    var atBottom = els.messages.scrollTop + els.messages.clientHeight >= els.messages.scrollHeight - 20;
    while (els.messages.firstChild) { els.messages.removeChild(els.messages.firstChild); }
    messages.forEach(function (m) { els.messages.appendChild(renderMessage(m)); });
    if (atBottom) { els.messages.scrollTop = els.messages.scrollHeight; }
  }
  function poll(force) {
    var c = customer();
    if (!c.phoneNumberId || c.from.length < 6 || (polling && !force)) { return Promise.resolve(); }
    polling = true;
    var q = '?phoneNumberId=' + encodeURIComponent(c.phoneNumberId) + '&waId=' + encodeURIComponent(c.from);
    return api('GET', '/control/conversation' + q, undefined, false, pollHeaders).then(function (data) {
      var json = JSON.stringify(data.messages);
      if (json !== lastJson) { lastJson = json; render(data.messages); }
    }).catch(function (err) { showStatus(err.message, true); })
      .then(function () { polling = false; });
  }
  function loadTemplates() {
    return api('GET', '/control/templates?phoneNumberId=' + encodeURIComponent(els.number.value)).then(function (data) {
      templates = {};
      data.templates.forEach(function (t) { templates[t.name + '|' + t.language] = t; });
      lastJson = '';
    }).catch(function () { templates = {}; });
  }

  els.messages.addEventListener('click', function (event) {
    var target = event.target.closest ? event.target.closest('button') : null;
    if (!target) { return; }
    var ctx = { messageId: target.getAttribute('data-context') };
    var kind = target.getAttribute('data-reply-kind');
    if (kind === 'button_reply' || kind === 'list_reply') { send({ type: kind, id: target.getAttribute('data-reply-id'), context: ctx }); }
    else if (kind === 'button') { send({ type: 'button', text: target.getAttribute('data-text'), context: ctx }); }
    else if (target.classList.contains('sim-react')) { send({ type: 'reaction', messageId: target.getAttribute('data-react-to'), emoji: '\uD83D\uDC4D' }); }
  });
  els.send.addEventListener('click', sendComposed);
  els.text.addEventListener('keydown', function (event) { if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); sendComposed(); } });
  els.read.addEventListener('click', function () {
    var c = customer();
    api('POST', '/control/read', { phoneNumberId: c.phoneNumberId, waId: c.from }).then(function () { return poll(true); })
      .catch(function (err) { showStatus(err.message, true); });
  });
  els.number.addEventListener('change', function () { lastJson = ''; remember(); loadTemplates().then(function () { poll(true); }); });
  els.waId.addEventListener('change', function () { lastJson = ''; remember(); poll(true); });
  els.name.addEventListener('change', remember);

  var preferred = restore();
  loadSession().then(function () {
    return api('GET', '/control/numbers');
  }).then(function (data) {
    data.numbers.forEach(function (n) {
      var option = el('option', null, n.displayNumber + ' — ' + n.verifiedName);
      option.value = n.phoneNumberId;
      els.number.appendChild(option);
    });
    if (preferred) { els.number.value = preferred; }
    if (!els.number.value && data.numbers[0]) { els.number.value = data.numbers[0].phoneNumberId; }
    return loadTemplates();
  }).then(function () { poll(true); setInterval(poll, 700); })
    .catch(function (err) { showStatus(err.message, true); });
})();
`;
