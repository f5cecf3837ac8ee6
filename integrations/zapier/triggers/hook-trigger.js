/**
 * One REST hook trigger per gateway event: subscribe and unsubscribe through /zapier/hooks,
 * deliveries arrive as the request body (one object per event), and the editor's samples come
 * from /zapier/samples/:event, shaped exactly like the deliveries.
 */
const gatewayUrl = (bundle) => String(bundle.authData.gatewayUrl || '').replace(/\/+$/, '');

const hookTrigger = ({ key, noun, label, description, sample }) => ({
  key,
  noun,
  display: { label, description },
  operation: {
    type: 'hook',
    performSubscribe: (z, bundle) =>
      z
        .request({
          url: `${gatewayUrl(bundle)}/zapier/hooks`,
          method: 'POST',
          body: { targetUrl: bundle.targetUrl, event: key },
        })
        .then((response) => response.data),
    performUnsubscribe: (z, bundle) =>
      z
        .request({
          url: `${gatewayUrl(bundle)}/zapier/hooks/${encodeURIComponent(bundle.subscribeData.id)}`,
          method: 'DELETE',
        })
        .then((response) => response.data),
    perform: (z, bundle) => [bundle.cleanedRequest],
    performList: (z, bundle) =>
      z
        .request({ url: `${gatewayUrl(bundle)}/zapier/samples/${key}`, params: { limit: 3 } })
        .then((response) => response.data),
    sample,
  },
});

module.exports = { hookTrigger };
