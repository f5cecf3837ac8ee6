/**
 * Tells Monaco where its web workers are: the bundles scripts/build-graphiql.ts writes beside
 * graphiql.js, served by the gateway from the same origin. Imported first by graphiql-app.js,
 * so it is in place before any editor asks for a worker. Without it the editors load but offer
 * no completion or validation (their language services run in these workers).
 */
const assetBase = JSON.parse(document.getElementById('playground-config').textContent).assetBase;

const WORKERS = { json: 'json.worker.js', graphql: 'graphql.worker.js' };

self.MonacoEnvironment = {
  getWorkerUrl(_moduleId, label) {
    return `${assetBase}/${WORKERS[label] ?? 'editor.worker.js'}`;
  },
};
