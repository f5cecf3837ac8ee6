/**
 * A self-contained GraphQL explorer page: HTML and a small script served by this gateway, no
 * CDN, so it works on a machine without internet access (Apollo's landing page loads Sandbox
 * from a CDN and is disabled). The Content-Security-Policy pins every load to our own origin.
 */

export const EXAMPLE_QUERY = `# Ctrl+Enter runs the query. extensions.upstream shows what it cost HighLevel.
query Example {
  contacts(first: 5) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        name
        email
        tags
        tasks(completed: false) { id title dueDate }
        notes { id body }
        appointments { id title startTime }
      }
    }
  }
}
`;

export const PLAYGROUND_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function playgroundHtml(options: { endpoint: string; exampleQuery?: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GHL × Roofr gateway · GraphQL playground</title>
<link rel="stylesheet" href="/playground/playground.css">
<link rel="icon" href="data:,">
</head>
<body data-endpoint="${escapeHtml(options.endpoint)}">
<header>
  <h1>GraphQL playground</h1>
  <span class="endpoint">POST ${escapeHtml(options.endpoint)}</span>
  <button id="run" type="button" title="Ctrl+Enter">▶ Run</button>
  <span id="status" role="status"></span>
</header>
<main>
  <section class="editor">
    <label for="query">Query</label>
    <textarea id="query" spellcheck="false" autocomplete="off">${escapeHtml(options.exampleQuery ?? EXAMPLE_QUERY)}</textarea>
    <label for="variables">Variables (JSON)</label>
    <textarea id="variables" class="variables" spellcheck="false" autocomplete="off">{}</textarea>
    <details id="schema"><summary>Root fields</summary><ul id="fields"></ul></details>
  </section>
  <section class="output">
    <label for="result">Result</label>
    <pre id="result" aria-live="polite"></pre>
  </section>
</main>
<script src="/playground/playground.js"></script>
</body>
</html>
`;
}

export const PLAYGROUND_CSS = `
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #1d2733; background: #f4f6f8; height: 100vh; display: flex; flex-direction: column; }
header { display: flex; align-items: center; gap: 12px; padding: 8px 16px; background: #1d2733; color: #fff; }
header h1 { font-size: 16px; margin: 0; }
.endpoint { font-family: ui-monospace, monospace; opacity: .75; }
#run { margin-left: auto; padding: 6px 16px; border: 0; border-radius: 4px; background: #2f9e44; color: #fff; font-weight: 600; cursor: pointer; }
#run:disabled { background: #868e96; cursor: progress; }
#status { min-width: 140px; font-family: ui-monospace, monospace; }
main { flex: 1; display: grid; grid-template-columns: 1fr 1fr; gap: 12px; padding: 12px; min-height: 0; }
section { display: flex; flex-direction: column; min-height: 0; }
label { font-weight: 600; margin: 4px 0; }
textarea, pre { font: 13px/1.45 ui-monospace, monospace; border: 1px solid #ced4da; border-radius: 4px; background: #fff; padding: 8px; margin: 0; }
textarea { flex: 1; resize: none; tab-size: 2; }
textarea.variables { flex: 0 0 80px; }
pre { flex: 1; overflow: auto; white-space: pre-wrap; }
pre.error { border-color: #e03131; }
details { margin-top: 8px; }
#fields { margin: 4px 0; padding-left: 20px; font-family: ui-monospace, monospace; }
#fields li { cursor: pointer; }
`;

/** The page's behaviour: run the query with fetch, show the JSON, list root fields by introspection. */
export const PLAYGROUND_JS = `'use strict';
(function () {
  var endpoint = document.body.getAttribute('data-endpoint');
  var query = document.getElementById('query');
  var variables = document.getElementById('variables');
  var result = document.getElementById('result');
  var status = document.getElementById('status');
  var run = document.getElementById('run');

  function post(body) {
    return fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) })
      .then(function (response) { return response.json().then(function (json) { return { status: response.status, json: json }; }); });
  }

  function execute() {
    var vars;
    try { vars = variables.value.trim() ? JSON.parse(variables.value) : {}; }
    catch (error) { result.textContent = 'Variables are not valid JSON: ' + error.message; result.className = 'error'; return; }
    run.disabled = true;
    status.textContent = 'running…';
    var started = performance.now();
    post({ query: query.value, variables: vars }).then(function (answer) {
      var ms = Math.round(performance.now() - started);
      result.textContent = JSON.stringify(answer.json, null, 2);
      result.className = answer.json.errors ? 'error' : '';
      status.textContent = 'HTTP ' + answer.status + ' · ' + ms + ' ms';
    }).catch(function (error) {
      result.textContent = 'Request failed: ' + error.message;
      result.className = 'error';
      status.textContent = 'failed';
    }).finally(function () { run.disabled = false; });
  }

  run.addEventListener('click', execute);
  document.addEventListener('keydown', function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') { event.preventDefault(); execute(); }
  });
  query.addEventListener('keydown', function (event) {
    if (event.key !== 'Tab') return;
    event.preventDefault();
    var start = query.selectionStart;
    query.setRangeText('  ', start, query.selectionEnd, 'end');
  });

  post({ query: '{ __schema { queryType { fields { name description args { name type { name kind ofType { name } } } } } } }' })
    .then(function (answer) {
      var list = document.getElementById('fields');
      var fields = (answer.json.data && answer.json.data.__schema.queryType.fields) || [];
      fields.filter(function (field) { return field.name.charAt(0) !== '_'; }).forEach(function (field) {
        var item = document.createElement('li');
        var args = field.args.map(function (arg) { return arg.name; }).join(', ');
        item.textContent = field.name + (args ? '(' + args + ')' : '');
        item.title = field.description || '';
        list.appendChild(item);
      });
    })
    .catch(function () { /* the schema list is a convenience; the editor works without it */ });
})();
`;
