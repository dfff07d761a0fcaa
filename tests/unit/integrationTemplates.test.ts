// The templates of a bot lookup: a customer's text must stay data in the JSON body and the URL,
// and the answer must be filled from the response or not at all. Plus where lookups may call.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ConfigError, loadConfig } from '../../server/config';
import { createMetrics } from '../../server/lib/metrics';
import { IntegrationHttp } from '../../server/modules/integrations/caller';
import { bodyTemplateProblem, fillAnswer, fillBody, fillUrl, urlTemplateProblem } from '../../server/modules/integrations/templates';

const BODY = '{"customer": "{{wa_id}}", "ask": "Q: {{ text }}", "name": "{{contact_name}}", "list": ["{{text}}", 1, null], "{{text}}": true}';

describe('integration templates', () => {
  it('fills the JSON body with any text as JSON string values, never breaking or extending the JSON', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.option(fc.string({ unit: 'binary' }), { nil: null }), (text, contactName) => {
        const body = JSON.parse(fillBody(BODY, { waId: '33612345678', text, contactName })) as Record<string, unknown>;
        expect(body).to.deep.equal({ customer: '33612345678', ask: `Q: ${text}`, name: contactName, list: [text, 1, null], '{{text}}': true });
      }),
    );
  });

  it('fills the URL with URL-encoded values that stay in their segment or query parameter', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !/^\.{1,2}$/.test(s)), (text) => {
        const filled = fillUrl('https://erp.example.com/orders/{{text}}?q={{text}}&n={{wa_id}}', { waId: '336', text, contactName: null });
        const url = new URL(filled!);
        expect(url.origin).to.equal('https://erp.example.com');
        expect(url.pathname.split('/')).to.have.length(3);
        expect(decodeURIComponent(url.pathname.split('/')[2]!)).to.equal(text);
        expect(url.searchParams.get('q')).to.equal(text);
        expect(url.searchParams.get('n')).to.equal('336');
      }),
    );
  });

  it('refuses a value that is a whole "." or ".." path segment (it would climb), but not in the query', () => {
    expect(fillUrl('https://erp.example.com/orders/{{text}}/status', { waId: '1', text: '..', contactName: null })).to.equal(null);
    expect(fillUrl('https://erp.example.com/orders?q={{text}}', { waId: '1', text: '..', contactName: null })).to.equal('https://erp.example.com/orders?q=..');
  });

  it('keeps placeholders out of the host, and unknown placeholders, credentials and fragments out of the URL', () => {
    expect(urlTemplateProblem('https://erp.example.com/orders/{{wa_id}}?q={{text}}')).to.equal(null);
    for (const bad of ['https://{{text}}.example.com/', 'https://erp.example.com:{{wa_id}}/', 'ftp://erp.example.com/', 'https://erp.example.com/{{order}}', 'https://u:p@erp.example.com/', 'https://erp.example.com/#x', '{{text}}']) {
      expect(urlTemplateProblem(bad), bad).to.be.a('string');
    }
    expect(bodyTemplateProblem('{"a": {{text}}}')).to.be.a('string');
    expect(bodyTemplateProblem('{"a": "{{order}}"}')).to.contain('{{order}}');
    expect(bodyTemplateProblem(BODY)).to.equal(null);
  });

  it('fills the answer from the JSON response (nested fields, array items), or names the fields it lacks', () => {
    const response = { order: { id: 'A-1', status: 'shipped', total: 12.5, paid: true, eta: null }, items: [{ name: 'Mug' }] };
    expect(fillAnswer('Order {{order.id}} ({{ items.0.name }}): {{order.status}}, {{order.total}} €, paid {{order.paid}}', response))
      .to.deep.equal({ text: 'Order A-1 (Mug): shipped, 12.5 €, paid true' });
    expect(fillAnswer('{{order.eta}} {{order.missing}} {{order}} {{order.id.length}} {{constructor}}', response))
      .to.deep.equal({ missing: ['order.eta', 'order.missing', 'order', 'order.id.length', 'constructor'] });
  });
});

describe('where integrations may call', () => {
  const metrics = createMetrics();
  const strict = new IntegrationHttp(false, metrics);
  const testing = new IntegrationHttp(true, metrics);

  it('calls https on public hosts only; loopback only when allowed, and never private addresses', () => {
    expect(strict.urlRefusal('https://erp.example.com/orders')).to.equal(null);
    for (const url of ['http://erp.example.com/orders', 'http://127.0.0.1:8080/x', 'https://localhost/x', 'https://10.1.2.3/x', 'https://[fd00::1]/x', 'https://169.254.169.254/latest', 'https://u:p@erp.example.com/']) {
      expect(strict.urlRefusal(url), url).to.be.a('string');
    }
    expect(testing.urlRefusal('http://127.0.0.1:8080/x')).to.equal(null);
    expect(testing.urlRefusal('http://localhost:8080/x')).to.equal(null);
    expect(testing.urlRefusal('http://[::1]:8080/x')).to.equal(null);
    // Only this machine: the private network stays refused even then.
    expect(testing.urlRefusal('http://192.168.1.10/x')).to.be.a('string');
    expect(testing.urlRefusal('https://192.168.1.10/x')).to.be.a('string');
  });

  it('allows loopback by default only in zero-config mode, and never in production', () => {
    const key = randomBytes(32).toString('base64');
    expect(loadConfig({}).integrationsAllowLoopback).to.equal(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://a@b/c', SWITCHBOARD_MASTER_KEY: key }).integrationsAllowLoopback).to.equal(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://a@b/c', SWITCHBOARD_MASTER_KEY: key, INTEGRATIONS_ALLOW_LOOPBACK: 'true' }).integrationsAllowLoopback).to.equal(true);
    expect(loadConfig({ NODE_ENV: 'production' }).integrationsAllowLoopback).to.equal(false);
    expect(() => loadConfig({ NODE_ENV: 'production', INTEGRATIONS_ALLOW_LOOPBACK: 'true' })).to.throw(ConfigError, /INTEGRATIONS_ALLOW_LOOPBACK/);
  });
});
