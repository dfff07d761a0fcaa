import { expect } from 'chai';
import fc from 'fast-check';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { BlockedAddressError, isPublicAddress, publicOnlyAgent, type Resolver } from '../../server/lib/netGuard';
import { EgressPolicy, MediaUrlRefusedError } from '../../server/modules/channels/egress';

describe('egress guard: which addresses and URLs a fetch on someone else\'s say-so may reach', () => {
  it('refuses loopback, private, CGNAT, ULA, link-local and reserved addresses, in IPv4, IPv6 and IPv4-in-IPv6', () => {
    const blocked = [
      '127.0.0.1', '127.255.255.254', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '100.127.255.255',
      '169.254.169.254', '0.0.0.0', '224.0.0.1', '255.255.255.255',
      '::1', '::', 'fe80::1', 'fe80::1%eth0', 'fc00::1', 'fd12:3456::1', 'ff02::1',
      '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::127.0.0.1', '64:ff9b::a00:1', '2002:7f00:1::1',
      'localhost', 'not-an-ip',
    ];
    const allowed = ['157.240.1.1', '31.13.64.1', '8.8.8.8', '100.128.0.1', '172.32.0.1', '2a03:2880:f12f:83:face:b00c:0:25de', '::ffff:157.240.1.1'];
    for (const a of blocked) {
      expect(isPublicAddress(a), a).to.equal(false);
    }
    for (const a of allowed) {
      expect(isPublicAddress(a), a).to.equal(true);
    }
  });

  it('judges an IPv4 address and its IPv4-mapped IPv6 forms alike (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
        const hex = `::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
        expect(isPublicAddress(`::ffff:${v4}`)).to.equal(isPublicAddress(v4));
        expect(isPublicAddress(hex)).to.equal(isPublicAddress(v4));
      }),
      { numRuns: 500 },
    );
  });

  it('checks the address after DNS resolution: a name mapped to 127.0.0.1 is never connected to', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits += 1;
      res.end('secret');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const toLoopback: Resolver = (_host, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]);
    const mixed: Resolver = (_host, cb) => cb(null, [{ address: '157.240.1.1', family: 4 }, { address: '127.0.0.1', family: 4 }]);
    try {
      for (const resolve of [toLoopback, mixed]) {
        const agent = publicOnlyAgent({ resolve });
        const err = await request(`http://media.test:${port}/`, { dispatcher: agent }).then(() => null, (e: unknown) => e);
        await agent.close();
        expect(err).to.be.instanceOf(BlockedAddressError);
      }
      // The system resolver maps localhost to loopback: refused just the same.
      const agent = publicOnlyAgent();
      const err = await request(`http://localhost:${port}/`, { dispatcher: agent }).then(() => null, (e: unknown) => e);
      await agent.close();
      expect((err as { code?: string }).code).to.equal('EADDRBLOCKED');
      expect(hits).to.equal(0);
    } finally {
      server.close();
    }
  });

  describe('EgressPolicy', () => {
    const policy = new EgressPolicy({ graphAllowedOrigins: ['https://graph-proxy.internal:8443'], mediaAllowedHosts: ['lookaside.fbsbx.com', '*.fbcdn.net'] });
    policy.allowSandbox('http://127.0.0.1:8080/sandbox');
    const refusedMedia = (url: string) => {
      try {
        policy.mediaDispatcher(new URL(url));
        return false;
      } catch (err) {
        return err instanceof MediaUrlRefusedError;
      }
    };

    it("allows a Graph API base URL only on Meta's host, an allowed origin, or this process's sandbox", () => {
      expect(policy.graphBaseUrlRefusal('https://graph.facebook.com')).to.equal(null);
      expect(policy.graphBaseUrlRefusal('https://graph.facebook.com/')).to.equal(null);
      expect(policy.graphBaseUrlRefusal('https://graph-proxy.internal:8443/meta')).to.equal(null);
      expect(policy.graphBaseUrlRefusal('http://127.0.0.1:8080/sandbox/graph')).to.equal(null);
      for (const bad of [
        'https://evil.example', 'http://graph.facebook.com', 'https://graph.facebook.com.evil.example', 'https://graph.facebook.com/other',
        'https://graph-proxy.internal', 'http://graph-proxy.internal:8443', 'http://127.0.0.1:8080/api', 'http://127.0.0.1:8080/sandbox/graph/../../api',
        'http://127.0.0.1:8081/sandbox/graph', 'https://user:pw@graph.facebook.com', 'not a url',
      ]) {
        expect(policy.graphBaseUrlRefusal(bad), bad).to.be.a('string');
      }
    });

    it("downloads media only over https from Meta's media hosts, or from the sandbox's own path", () => {
      expect(refusedMedia('https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1')).to.equal(false);
      expect(refusedMedia('https://scontent.xx.fbcdn.net/v/t1/x.pdf')).to.equal(false);
      expect(refusedMedia('http://127.0.0.1:8080/sandbox/media-download/?mid=1')).to.equal(false);
      for (const bad of [
        'http://lookaside.fbsbx.com/x', 'https://lookaside.fbsbx.com:8443/x', 'https://fbcdn.net.evil.example/x', 'https://evilfbcdn.net/x',
        'https://127.0.0.1/x', 'https://[::1]/x', 'http://127.0.0.1:8080/api/v1/me', 'http://127.0.0.1:8080/sandbox/../api/v1/me',
        'http://localhost:8080/sandbox/media-download/', 'http://127.0.0.1:8081/sandbox/x', 'https://user:pw@lookaside.fbsbx.com/x',
        'http://169.254.169.254/latest/meta-data/',
      ]) {
        expect(refusedMedia(bad), bad).to.equal(true);
      }
    });

    after(() => policy.close());
  });
});
